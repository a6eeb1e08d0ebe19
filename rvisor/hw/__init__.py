"""The hardware: harts, the execute engine, memory, devices and the board."""
