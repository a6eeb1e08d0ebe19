"""Where each piece of machine state lives in the engine's numpy arrays.

The engine (``rvisor.hw.engine``) is Numba-compiled code over a handful of
numpy arrays.  Python code (devices, firmware, the VMM) reads and writes the
same arrays between engine runs; this module names every slot so both sides
agree.  All arrays are ``int64``; unsigned 64-bit values are stored as their
two's-complement bit pattern.

Arrays of one machine (see ``rvisor.hw.machine.Machine``):

``x[h, 0..31]``      integer registers of hart h (x0 is kept 0)
``f[h, 0..31]``      floating-point registers, raw bits (single precision NaN-boxed)
``csr[h, 0..4095]``  CSR storage, indexed by CSR number.  Views (sstatus, sie,
                     sip, fflags, frm, ...) are computed by ``rvisor.hw.csr``;
                     only the canonical register has storage.
``hs[h, HS_*]``      per-hart scalars: pc, privilege, LR reservation, exit info
``cnt[h, CNT_*]``    per-hart counters (instructions, traps, exits, ...)
``mach[M_*]``        machine-wide scalars: mtime, RAM geometry, HTIF address
``ram``              DRAM bytes (uint8), mapped at ``mach[M_RAM_BASE]``
``rom``              MROM bytes (uint8), mapped at ``ROM_BASE`` (read-only)
"""

from __future__ import annotations

# ---- privilege levels (priv spec 1.12, section 1.2) -------------------------
PRV_U = 0
PRV_S = 1
PRV_M = 3
PRV_NAMES = {PRV_U: "U", PRV_S: "S", PRV_M: "M"}
# names of (privilege, V) pairs, with the hypervisor extension (priv spec chapter "Hypervisor")
MODE_NAMES = {(PRV_U, 0): "U", (PRV_S, 0): "HS", (PRV_M, 0): "M", (PRV_U, 1): "VU", (PRV_S, 1): "VS"}
MAX_HARTS = 64

# ---- per-hart scalar slots: hs[h, ...] --------------------------------------
HS_PC = 0  # next instruction to execute
HS_PRIV = 1  # current privilege level (PRV_*)
HS_RES_ADDR = 2  # LR/SC reservation: physical address
HS_RES_VALID = 3  # LR/SC reservation valid (0/1)
HS_STATE = 4  # HART_* below (run state as the scheduler sees it)
HS_EXIT_PC = 5  # pc of the instruction that caused the last exit
HS_EXIT_INSN = 6  # its instruction word (expanded if compressed)
HS_EXIT_ADDR = 7  # MMIO exit: physical address
HS_EXIT_SIZE = 8  # MMIO exit: access size in bytes (1, 2, 4, 8)
HS_EXIT_VALUE = 9  # MMIO store: value written (low `size` bytes)
HS_EXIT_RD = 10  # MMIO load: destination register number
HS_EXIT_FLAGS = 11  # MMIO_* flags below
HS_MTIMECMP = 12  # CLINT mtimecmp of this hart
HS_MSIP = 13  # CLINT msip of this hart (0/1)
HS_EXT_IRQ = 14  # external interrupt lines from the PLIC: bit 11 MEIP, bit 9 SEIP
HS_FIRMWARE = 15  # 1 = built-in SBI firmware: ecall from S exits to Python (EXIT_SBI)
HS_SBI_TIMECMP = 16  # built-in firmware's SBI set_timer deadline (drives STIP)
HS_EVENT = 17  # nonzero: re-check interrupts before the next instruction
HS_FATAL = 18  # emulator fault code (see FATAL_*), with HS_EXIT_PC/INSN
HS_SLICE_START = 19  # instructions retired when the current run began (engine-internal)
HS_HARTID = 20  # value of mhartid
HS_FETCH_PAGE = 21  # engine-internal fetch-page cache: virtual page number or -1
HS_FETCH_HOST = 22  # engine-internal: host offset of that page (ram index) or -1
HS_EXIT_CAUSE = 23  # EXIT_TRAP: cause that reached M-mode under built-in firmware
HS_EXIT_TVAL = 24  # ... and its tval
HS_TLB_KEY = 25  # engine-internal: key of the current translation context
HS_TIME_FRAC = 26  # deterministic clock: instructions retired toward the next mtime tick
HS_DEBUG = 27  # 1 = a debugger is attached: ebreak exits with EXIT_BREAK
# hypervisor extension (slots 32..): see rvisor.hw.hext
HS_V = 32  # virtualization mode V (0/1): with HS_PRIV S or U the hart is in VS or VU
HS_GPA = 33  # guest physical address >> 2 of the last guest-page fault (for htval/mtval2)
HS_TINST = 34  # engine-internal: mtinst/htinst value for the trap being taken
HS_HLV = 35  # engine-internal: 1 while an HLV/HSV access runs, 2 for HLVX (execute permission)
HS_IMPLICIT = 36  # engine-internal: pseudoinstruction of the VS-stage PTE access that faulted, or 0
HS_VMM = 37  # 1 = rvisor's VMM plays HS-mode: a trap from V=1 that targets HS exits with EXIT_HS_TRAP
# TLB translation contexts (engine-internal, see rvisor.hw.tlb): current slots and round-robin cursors
HS_CTX_HOST = 38  # context slot of the current satp (0..15)
HS_CTX_GUEST = 39  # context slot of the current vsatp/hgatp pair (16..31)
HS_CTX_NEXT_HOST = 40  # next host slot to reuse
HS_CTX_NEXT_GUEST = 41  # next guest slot to reuse
HS_CTX = 64  # 32 slots of two words: satp and 0 (host), or vsatp and hgatp (guest); -1 = empty
HS_SIZE = 128

# hart run states (HS_STATE)
HART_RUNNING = 0
HART_STOPPED = 1  # SBI HSM: not started (secondary harts before hart_start)
HART_WFI = 2  # waiting for an interrupt (set on EXIT_WFI, cleared when one is pending)
HART_SUSPENDED = 3

# MMIO exit flags (HS_EXIT_FLAGS)
MMIO_WRITE = 1
MMIO_SIGNED = 2  # load: sign-extend the value into rd
MMIO_FETCH = 4  # instruction fetch from MMIO (not supported -> access fault)

# ---- exit reasons: engine.run() return value ----------------------------------
EXIT_BUDGET = 0  # the instruction budget of this run is used up
EXIT_MMIO = 1  # access to an address the engine does not own (a Python device)
EXIT_WFI = 2  # WFI with no interrupt pending; pc is past the WFI
EXIT_SBI = 3  # ecall from S/U to the built-in firmware (HS_FIRMWARE=1); pc is past it
EXIT_HS_TRAP = 4  # trap from a virtualized guest handled by the VMM (hypervisor), with HS_VMM=1:
#   nothing is changed (V stays 1, pc = HS_PC = HS_EXIT_PC is the trapping instruction);
#   HS_EXIT_CAUSE/HS_EXIT_TVAL are what scause/stval would get (bit 63: interrupt), HS_GPA what
#   htval would get, HS_TINST what htinst would get, HS_HLV 1 when GVA would be set;
#   for exceptions HS_EXIT_INSN is the instruction (expanded) and HS_EXIT_SIZE its length (2 or 4)
EXIT_HALT = 5  # the machine stopped (poweroff/reset decided by Python)
EXIT_BREAK = 6  # ebreak with a debugger attached
EXIT_HTIF = 7  # store to the HTIF tohost word; value in HS_EXIT_VALUE
EXIT_FATAL = 8  # emulator fault: HS_FATAL, HS_EXIT_PC, HS_EXIT_INSN say what
EXIT_TRAP = 9  # trap into M-mode while the built-in firmware owns M-mode
EXIT_DEVICE = 10  # an engine-resident device needs Python: an interrupt line to propagate, output to drain
EXIT_YIELD = 11  # the hart sent an IPI through the CLINT: let the target run before it spins
N_EXITS = 16
EXIT_NAMES = {
    EXIT_BUDGET: "budget",
    EXIT_MMIO: "mmio",
    EXIT_WFI: "wfi",
    EXIT_SBI: "sbi",
    EXIT_HS_TRAP: "hs_trap",
    EXIT_HALT: "halt",
    EXIT_BREAK: "break",
    EXIT_HTIF: "htif",
    EXIT_FATAL: "fatal",
    EXIT_TRAP: "m_trap",
    EXIT_DEVICE: "device",
    EXIT_YIELD: "yield",
}

FATAL_NONE = 0
FATAL_INTERNAL = 1

# ---- per-hart counters: cnt[h, ...] ---------------------------------------------
CNT_INSTRET = 0  # instructions retired
CNT_PRIV_SWITCH = 1  # changes of privilege level
CNT_EXC = 2  # CNT_EXC + cause: synchronous exceptions by cause (0..23)
CNT_IRQ = 26  # CNT_IRQ + cause: interrupts taken by cause (0..15)
CNT_EXIT = 42  # CNT_EXIT + reason: engine exits by reason (0..15)
CNT_TLB_MISS = 58  # page-table walks
CNT_SIZE = 64

# ---- machine-wide scalars: mach[...] -----------------------------------------
M_MTIME = 0  # CLINT mtime at the start of the current run
M_RAM_BASE = 1
M_RAM_SIZE = 2
M_IPT = 3  # deterministic clock: instructions per mtime tick (0 = Python owns mtime)
M_TOHOST = 4  # physical address of HTIF tohost, or -1
M_NHARTS = 5
M_RUN_START = 6  # engine-internal: retired count of the running hart at run start
M_YIELD_MIN = 7  # SMP: a spin-wait hint ends a slice only after this many instructions of it
M_EDEV_COUNT = 8  # number of engine-resident device windows in use (see below)

# ---- engine-resident devices: mach[M_EDEV + k * EDEV_STRIDE + ED_*] ---------------
# A device whose registers a guest polls (the UART's LSR, later per-VM UARTs and virtio
# notify/status registers) keeps its register file here, so that the engine answers its loads and
# stores without a trip to Python; Python drains output and feeds input between slices and
# propagates interrupt-line changes when the engine asks for it with EXIT_DEVICE.
M_EDEV = 16  # first device block
EDEV_MAX = 4  # device windows the engine can serve
EDEV_STRIDE = 4608  # slots per device block
ED_KIND = 0  # EDEV_* kind below (0: block unused)
ED_BASE = 1  # physical base address of the window
ED_SIZE = 2  # window size in bytes
ED_EVENT = 3  # EV_* bits: what Python must do at the next exit
ED_IRQ_LEVEL = 4  # the device's interrupt output as last computed (0/1)
ED_IRQ_PENDING = 5  # the interrupt controller's pending bit for this source, mirrored by Python
ED_REGS = 8  # first kind-specific slot
EDEV_UART16550 = 1
EV_IRQ = 1  # the interrupt line must be driven (QEMU: every serial_update_irq reaches the PLIC)
EV_TX = 2  # the transmit buffer is full: drain it
M_SIZE = M_EDEV + EDEV_MAX * EDEV_STRIDE

# ---- physical memory map (QEMU virt) -------------------------------------------
ROM_BASE = 0x1000
ROM_SIZE = 0xF000
TEST_BASE = 0x100000
RTC_BASE = 0x101000
CLINT_BASE = 0x2000000
CLINT_SIZE = 0x10000
PLIC_BASE = 0xC000000
PLIC_SIZE = 0x600000
UART0_BASE = 0x10000000
VIRTIO_BASE = 0x10001000
VIRTIO_STRIDE = 0x1000
VIRTIO_SLOTS = 8
DRAM_BASE = 0x80000000

UART0_IRQ = 10
RTC_IRQ = 11
VIRTIO_IRQ0 = 1  # slot i uses irq 1 + i

TIMEBASE_HZ = 10_000_000

# ---- CSR numbers used across modules -----------------------------------------------
CSR_FFLAGS = 0x001
CSR_FRM = 0x002
CSR_FCSR = 0x003
CSR_CYCLE = 0xC00
CSR_TIME = 0xC01
CSR_INSTRET = 0xC02
CSR_SSTATUS = 0x100
CSR_SIE = 0x104
CSR_STVEC = 0x105
CSR_SCOUNTEREN = 0x106
CSR_SENVCFG = 0x10A
CSR_SSCRATCH = 0x140
CSR_SEPC = 0x141
CSR_SCAUSE = 0x142
CSR_STVAL = 0x143
CSR_SIP = 0x144
CSR_STIMECMP = 0x14D
CSR_SATP = 0x180
CSR_MVENDORID = 0xF11
CSR_MARCHID = 0xF12
CSR_MIMPID = 0xF13
CSR_MHARTID = 0xF14
CSR_MCONFIGPTR = 0xF15
CSR_MSTATUS = 0x300
CSR_MISA = 0x301
CSR_MEDELEG = 0x302
CSR_MIDELEG = 0x303
CSR_MIE = 0x304
CSR_MTVEC = 0x305
CSR_MCOUNTEREN = 0x306
CSR_MENVCFG = 0x30A
CSR_MCOUNTINHIBIT = 0x320
CSR_MSCRATCH = 0x340
CSR_MEPC = 0x341
CSR_MCAUSE = 0x342
CSR_MTVAL = 0x343
CSR_MIP = 0x344
CSR_PMPCFG0 = 0x3A0
CSR_PMPADDR0 = 0x3B0
CSR_MCYCLE = 0xB00
CSR_MINSTRET = 0xB02
CSR_MTINST = 0x34A
CSR_MTVAL2 = 0x34B
# hypervisor and virtual-supervisor CSRs (priv spec, Hypervisor chapter, "CSRs")
CSR_HSTATUS = 0x600
CSR_HEDELEG = 0x602
CSR_HIDELEG = 0x603
CSR_HIE = 0x604
CSR_HTIMEDELTA = 0x605
CSR_HCOUNTEREN = 0x606
CSR_HGEIE = 0x607
CSR_HENVCFG = 0x60A
CSR_HTVAL = 0x643
CSR_HIP = 0x644
CSR_HVIP = 0x645
CSR_HTINST = 0x64A
CSR_HGATP = 0x680
CSR_HGEIP = 0xE12
CSR_VSSTATUS = 0x200
CSR_VSIE = 0x204
CSR_VSTVEC = 0x205
CSR_VSSCRATCH = 0x240
CSR_VSEPC = 0x241
CSR_VSCAUSE = 0x242
CSR_VSTVAL = 0x243
CSR_VSIP = 0x244
CSR_VSTIMECMP = 0x24D
CSR_VSATP = 0x280
CSR_TSELECT = 0x7A0
CSR_TDATA1 = 0x7A1

# mstatus fields (priv spec 3.1.6)
MSTATUS_SIE = 1 << 1
MSTATUS_MIE = 1 << 3
MSTATUS_SPIE = 1 << 5
MSTATUS_UBE = 1 << 6
MSTATUS_MPIE = 1 << 7
MSTATUS_SPP = 1 << 8
MSTATUS_VS = 3 << 9
MSTATUS_MPP = 3 << 11
MSTATUS_FS = 3 << 13
MSTATUS_XS = 3 << 15
MSTATUS_MPRV = 1 << 17
MSTATUS_SUM = 1 << 18
MSTATUS_MXR = 1 << 19
MSTATUS_TVM = 1 << 20
MSTATUS_TW = 1 << 21
MSTATUS_TSR = 1 << 22
MSTATUS_UXL = 3 << 32
MSTATUS_SXL = 3 << 34
MSTATUS_MPV = 1 << 39
MSTATUS_GVA = 1 << 38
MSTATUS_SD = -(1 << 63)  # bit 63

# hstatus fields (priv spec, Hypervisor chapter, "hstatus")
HSTATUS_VSBE = 1 << 5
HSTATUS_GVA = 1 << 6
HSTATUS_SPV = 1 << 7
HSTATUS_SPVP = 1 << 8
HSTATUS_HU = 1 << 9
HSTATUS_VGEIN = 0x3F << 12
HSTATUS_VTVM = 1 << 20
HSTATUS_VTW = 1 << 21
HSTATUS_VTSR = 1 << 22
HSTATUS_VSXL = 3 << 32
MISA_H = 1 << 7

# interrupt numbers (priv spec 3.1.9)
IRQ_SSI = 1
IRQ_MSI = 3
IRQ_STI = 5
IRQ_MTI = 7
IRQ_SEI = 9
IRQ_MEI = 11
IRQ_VSSI = 2
IRQ_VSTI = 6
IRQ_VSEI = 10
IRQ_SGEI = 12

# exception causes (priv spec 3.1.15, table "machine cause register values")
EXC_INSN_MISALIGNED = 0
EXC_INSN_ACCESS = 1
EXC_ILLEGAL = 2
EXC_BREAKPOINT = 3
EXC_LOAD_MISALIGNED = 4
EXC_LOAD_ACCESS = 5
EXC_STORE_MISALIGNED = 6
EXC_STORE_ACCESS = 7
EXC_ECALL_U = 8
EXC_ECALL_S = 9
EXC_ECALL_M = 11
EXC_INSN_PAGE = 12
EXC_LOAD_PAGE = 13
EXC_STORE_PAGE = 15
EXC_ECALL_VS = 10
EXC_INSN_GUEST_PAGE = 20
EXC_LOAD_GUEST_PAGE = 21
EXC_VIRTUAL_INSN = 22
EXC_STORE_GUEST_PAGE = 23

EXC_NAMES = {
    0: "instruction address misaligned",
    1: "instruction access fault",
    2: "illegal instruction",
    3: "breakpoint",
    4: "load address misaligned",
    5: "load access fault",
    6: "store/AMO address misaligned",
    7: "store/AMO access fault",
    8: "environment call from U-mode",
    9: "environment call from S-mode",
    10: "environment call from VS-mode",
    11: "environment call from M-mode",
    12: "instruction page fault",
    13: "load page fault",
    15: "store/AMO page fault",
    20: "instruction guest-page fault",
    21: "load guest-page fault",
    22: "virtual instruction",
    23: "store/AMO guest-page fault",
}
IRQ_NAMES = {
    1: "supervisor software",
    3: "machine software",
    5: "supervisor timer",
    7: "machine timer",
    9: "supervisor external",
    11: "machine external",
    2: "virtual supervisor software",
    6: "virtual supervisor timer",
    10: "virtual supervisor external",
    12: "supervisor guest external",
}
