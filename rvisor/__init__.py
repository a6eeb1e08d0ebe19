"""rvisor: a RISC-V server, its hypervisor and its guests, in Python."""

__version__ = "0.1.0"
