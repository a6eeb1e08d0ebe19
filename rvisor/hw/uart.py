"""The NS16550A register file, kept in the engine's state so that polling costs no exit.

A guest that prints or waits for input polls the line status register
(LSR) in a loop: OpenSBI's console, U-Boot's prompt, xv6's
``uartputc_sync``, Linux's 8250 driver, every bare-metal ``putchar``.  With
the UART in Python each poll was a trip out of the engine; here the engine
answers every register access itself, from a device block in ``mach``
(``rvisor.hw.layout``, ``M_EDEV``).  The same functions serve Python
(``rvisor.hw.devices.uart16550.Uart16550``), so the UART's behaviour is
written once.

Register semantics follow the PC16550D data sheet (table 2, "Summary of
Registers"; table 4, interrupt identification) and, where a guest depends
on it, QEMU's ``hw/char/serial.c``:

* ``serial_update_irq`` is re-evaluated exactly where QEMU does it — THR
  writes (once before and once after the byte leaves), IER writes that
  change IER, FCR writes that change FCR, RBR reads, IIR reads that return
  THRE, LSR reads that clear overrun/break, MSR reads that clear deltas, and
  received bytes.  Each evaluation drives the interrupt line to its level, and
  QEMU's PLIC sets (or clears) the source's pending bit on every such call.
* A byte written to THR leaves at once: THR is empty again and, with IER.THRE,
  the THRE interrupt is pending again — one interrupt per transmitted byte for
  a driver that never reads IIR (xv6).
* Received data below the FIFO trigger level reports the character-timeout
  id at once (the timeout is taken as already elapsed).

Transmitted bytes collect in a buffer that Python drains at every exit.
Input from the console is staged by Python and moves into the 16-byte FIFO
as the guest makes room, so nothing typed is lost while the guest is slow.
"""

from __future__ import annotations

from numba import njit

from rvisor.hw import layout as L

# ---- register bits (PC16550D, "Register Description") --------------------------
IER_RDA = 0x01  # received data available
IER_THRE = 0x02  # transmitter holding register empty
IER_RLS = 0x04  # receiver line status
IER_MS = 0x08  # modem status

IIR_NONE = 0x01
IIR_RLS = 0x06
IIR_RDA = 0x04
IIR_TIMEOUT = 0x0C
IIR_THRE = 0x02
IIR_MS = 0x00
IIR_FIFO = 0xC0

FCR_ENABLE = 0x01
FCR_CLEAR_RX = 0x02
FCR_CLEAR_TX = 0x04

LCR_DLAB = 0x80

MCR_DTR = 0x01
MCR_RTS = 0x02
MCR_OUT1 = 0x04
MCR_OUT2 = 0x08
MCR_LOOP = 0x10

LSR_DR = 0x01
LSR_OE = 0x02
LSR_PE = 0x04
LSR_FE = 0x08
LSR_BI = 0x10
LSR_THRE = 0x20
LSR_TEMT = 0x40
LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI

MSR_CTS = 0x10
MSR_DSR = 0x20
MSR_RI = 0x40
MSR_DCD = 0x80

RX_FIFO_SIZE = 16
IN_SIZE = 256  # staged console input not yet in the FIFO
TX_SIZE = 4096  # transmitted bytes not yet drained by Python

# ---- slots of a UART device block (offsets from the block base) --------------------
U_IER = L.ED_REGS + 0
U_FCR = L.ED_REGS + 1
U_LCR = L.ED_REGS + 2
U_MCR = L.ED_REGS + 3
U_LSR_ERR = L.ED_REGS + 4  # sticky error bits, cleared by reading LSR
U_SCR = L.ED_REGS + 5
U_DLL = L.ED_REGS + 6
U_DLM = L.ED_REGS + 7
U_THR_IPENDING = L.ED_REGS + 8  # THRE interrupt condition (cleared by an IIR read or a THR write)
U_MSR_DELTA = L.ED_REGS + 9
U_RX_HEAD = L.ED_REGS + 10
U_RX_COUNT = L.ED_REGS + 11
U_IN_HEAD = L.ED_REGS + 12
U_IN_COUNT = L.ED_REGS + 13
U_TX_COUNT = L.ED_REGS + 14
# counters, read by Python as the device's metrics
U_TX_BYTES = L.ED_REGS + 15
U_RX_BYTES = L.ED_REGS + 16
U_RX_OVERRUNS = L.ED_REGS + 17
U_IRQ_RAISED = L.ED_REGS + 18
U_READS = L.ED_REGS + 19
U_WRITES = L.ED_REGS + 20
U_RX = L.ED_REGS + 24  # RX_FIFO_SIZE slots: the receive FIFO (a ring)
U_IN = U_RX + RX_FIFO_SIZE  # IN_SIZE slots: staged input (a ring)
U_TX = U_IN + IN_SIZE  # TX_SIZE slots: transmitted bytes in order
U_END = U_TX + TX_SIZE
assert U_END <= L.EDEV_STRIDE

METRICS = {
    "tx_bytes": U_TX_BYTES,
    "rx_bytes": U_RX_BYTES,
    "rx_overruns": U_RX_OVERRUNS,
    "irq_raised": U_IRQ_RAISED,
    "reads": U_READS,
    "writes": U_WRITES,
}


# runs at power-on and on a system reset (from Python): the register values firmware expects
@njit(cache=True, nogil=True)
def uart_reset(m, b):
    for i in range(L.ED_REGS, U_RX):
        m[b + i] = 0
    m[b + U_LCR] = 0x03  # 8N1
    m[b + U_MCR] = MCR_OUT2
    m[b + U_DLL] = 0x0C


# runs for interrupt evaluation: the receiver's trigger level in bytes (FCR bits 7..6: 1, 4, 8, 14)
@njit(cache=True, nogil=True)
def _trigger(fcr):
    t = (fcr >> 6) & 3
    if t == 0:
        return 1
    if t == 1:
        return 4
    if t == 2:
        return 8
    return 14


# runs when LSR is read or an interrupt is evaluated: LSR as the guest sees it
@njit(cache=True, nogil=True)
def uart_lsr(m, b):
    v = LSR_THRE | LSR_TEMT | m[b + U_LSR_ERR]
    if m[b + U_RX_COUNT] > 0:
        v |= LSR_DR
    return v


# runs when MSR is read: modem lines (loopback wires MCR's outputs to them)
@njit(cache=True, nogil=True)
def uart_msr_lines(mcr):
    if mcr & MCR_LOOP:
        v = 0
        if mcr & MCR_RTS:
            v |= MSR_CTS
        if mcr & MCR_DTR:
            v |= MSR_DSR
        if mcr & MCR_OUT1:
            v |= MSR_RI
        if mcr & MCR_OUT2:
            v |= MSR_DCD
        return v
    return MSR_DCD | MSR_DSR | MSR_CTS  # a terminal is always attached


# runs on IIR reads and every interrupt evaluation: the highest-priority pending source (table 4)
@njit(cache=True, nogil=True)
def uart_iir_id(m, b):
    ier = m[b + U_IER]
    n = m[b + U_RX_COUNT]
    if ier & IER_RLS and m[b + U_LSR_ERR] & LSR_ERRORS:
        return IIR_RLS
    if ier & IER_RDA and n > 0:
        if not m[b + U_FCR] & FCR_ENABLE or n >= _trigger(m[b + U_FCR]):
            return IIR_RDA
        return IIR_TIMEOUT
    if ier & IER_THRE and m[b + U_THR_IPENDING]:
        return IIR_THRE
    if ier & IER_MS and m[b + U_MSR_DELTA] & 0x0F:
        return IIR_MS
    return IIR_NONE


# runs where QEMU calls serial_update_irq: drive the line; 1 when the PLIC must hear of it
@njit(cache=True, nogil=True)
def uart_update(m, b):
    level = 1 if uart_iir_id(m, b) != IIR_NONE else 0
    if level and not m[b + L.ED_IRQ_LEVEL]:
        m[b + U_IRQ_RAISED] += 1
    m[b + L.ED_IRQ_LEVEL] = level
    # the PLIC's pending bit becomes `level` (QEMU's sifive_plic_irq_request); only a change
    # of that bit needs Python, so a polling loop with the line steady never leaves the engine
    if level != m[b + L.ED_IRQ_PENDING]:
        m[b + L.ED_EVENT] |= L.EV_IRQ
        return 1
    return 0


# runs when a byte reaches the receiver (staged console input, or THR in loopback)
@njit(cache=True, nogil=True)
def uart_receive(m, b, byte):
    cap = RX_FIFO_SIZE if m[b + U_FCR] & FCR_ENABLE else 1
    n = m[b + U_RX_COUNT]
    if n >= cap:
        m[b + U_LSR_ERR] |= LSR_OE
        m[b + U_RX_OVERRUNS] += 1
        if cap > 1:
            return  # the FIFO keeps its contents, the new byte is lost
        m[b + U_RX_COUNT] = 0  # without FIFOs the new byte overwrites RBR
        n = 0
    m[b + U_RX + (m[b + U_RX_HEAD] + n) % RX_FIFO_SIZE] = byte & 0xFF
    m[b + U_RX_COUNT] = n + 1
    m[b + U_RX_BYTES] += 1


# runs after an RBR read and when Python stages input: move staged bytes into free FIFO room
@njit(cache=True, nogil=True)
def uart_refill(m, b):
    if m[b + U_MCR] & MCR_LOOP:
        return 0  # in loopback nothing arrives from outside
    cap = RX_FIFO_SIZE if m[b + U_FCR] & FCR_ENABLE else 1
    moved = 0
    while m[b + U_IN_COUNT] > 0 and m[b + U_RX_COUNT] < cap:
        head = m[b + U_IN_HEAD]
        uart_receive(m, b, m[b + U_IN + head])
        m[b + U_IN_HEAD] = (head + 1) % IN_SIZE
        m[b + U_IN_COUNT] -= 1
        moved += 1
    return moved


# runs for a THR write: the byte leaves at once (or loops back); 1 when Python must act
@njit(cache=True, nogil=True)
def _transmit(m, b, byte):
    need = 0
    m[b + U_THR_IPENDING] = 0
    need |= uart_update(m, b)
    if m[b + U_MCR] & MCR_LOOP:
        uart_receive(m, b, byte)
    else:
        n = m[b + U_TX_COUNT]
        m[b + U_TX + n] = byte
        m[b + U_TX_COUNT] = n + 1
        if n + 1 >= TX_SIZE:
            m[b + L.ED_EVENT] |= L.EV_TX  # full: Python drains it before the next byte
            need = 1
    m[b + U_TX_BYTES] += 1
    m[b + U_THR_IPENDING] = 1  # sent: THR is empty again
    need |= uart_update(m, b)
    return need


# runs on a guest load from the UART window: (value, 1 when Python must act before going on)
@njit(cache=True, nogil=True)
def uart_load(m, b, off):
    reg = off & 7
    dlab = m[b + U_LCR] & LCR_DLAB
    m[b + U_READS] += 1
    need = 0
    v = 0
    if reg == 0:
        if dlab:
            v = m[b + U_DLL]
        else:
            n = m[b + U_RX_COUNT]
            if n > 0:
                head = m[b + U_RX_HEAD]
                v = m[b + U_RX + head]
                m[b + U_RX_HEAD] = (head + 1) % RX_FIFO_SIZE
                m[b + U_RX_COUNT] = n - 1
            need |= uart_update(m, b)
            if m[b + U_RX_COUNT] == 0 and uart_refill(m, b) > 0:
                need |= uart_update(m, b)  # the next staged byte arrived (QEMU's receive path)
    elif reg == 1:
        v = m[b + U_DLM] if dlab else m[b + U_IER]
    elif reg == 2:
        iid = uart_iir_id(m, b)
        if iid == IIR_THRE:
            m[b + U_THR_IPENDING] = 0  # reading IIR clears a THRE interrupt
            need |= uart_update(m, b)
        v = iid | (IIR_FIFO if m[b + U_FCR] & FCR_ENABLE else 0)
    elif reg == 3:
        v = m[b + U_LCR]
    elif reg == 4:
        v = m[b + U_MCR]
    elif reg == 5:
        v = uart_lsr(m, b)
        if m[b + U_LSR_ERR] & (LSR_OE | LSR_BI):
            m[b + U_LSR_ERR] &= ~(LSR_OE | LSR_BI)
            need |= uart_update(m, b)
    elif reg == 6:
        v = uart_msr_lines(m[b + U_MCR]) | m[b + U_MSR_DELTA]
        if m[b + U_MSR_DELTA]:
            m[b + U_MSR_DELTA] = 0
            need |= uart_update(m, b)
    else:
        v = m[b + U_SCR]
    return v, need


# runs on a guest store to the UART window: 1 when Python must act before going on
@njit(cache=True, nogil=True)
def uart_store(m, b, off, value):
    reg = off & 7
    value &= 0xFF
    dlab = m[b + U_LCR] & LCR_DLAB
    m[b + U_WRITES] += 1
    need = 0
    if reg == 0:
        if dlab:
            m[b + U_DLL] = value
        else:
            need = _transmit(m, b, value)
    elif reg == 1:
        if dlab:
            m[b + U_DLM] = value
        else:
            changed = (m[b + U_IER] ^ value) & 0x0F
            m[b + U_IER] = value & 0x0F
            # enabling THRE interrupts while THR is empty fires one (QEMU; Windows relies on it)
            if changed & IER_THRE:
                m[b + U_THR_IPENDING] = 1 if value & IER_THRE else 0
            if changed:
                need = uart_update(m, b)
    elif reg == 2:
        if value != m[b + U_FCR]:
            if (value ^ m[b + U_FCR]) & FCR_ENABLE:
                value |= FCR_CLEAR_RX | FCR_CLEAR_TX  # changing the FIFO mode empties the FIFOs
            if value & FCR_CLEAR_RX:
                m[b + U_RX_COUNT] = 0
                m[b + U_RX_HEAD] = 0
            m[b + U_FCR] = value & 0xC9
            need = uart_update(m, b)
    elif reg == 3:
        m[b + U_LCR] = value
    elif reg == 4:
        old = m[b + U_MCR]
        value &= 0x1F
        if (old | value) & MCR_LOOP:
            before = uart_msr_lines(old) & 0xF0
            after = uart_msr_lines(value) & 0xF0
            # MSR bits 3..0: delta CTS, delta DSR, trailing edge RI, delta DCD
            delta = ((before ^ after) >> 4) & 0b1011
            if before & MSR_RI and not after & MSR_RI:
                delta |= 0x04
            m[b + U_MCR] = value
            if delta:
                m[b + U_MSR_DELTA] |= delta
                need = uart_update(m, b)
        else:
            m[b + U_MCR] = value
        if old & MCR_LOOP and not value & MCR_LOOP and uart_refill(m, b) > 0:
            need |= uart_update(m, b)
    elif reg == 7:
        m[b + U_SCR] = value
    return need
