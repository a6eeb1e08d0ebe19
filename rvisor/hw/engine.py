"""The execute engine: runs one hart until something needs Python.

``run`` is the hot loop, compiled by Numba.  Per instruction it fetches
through a one-page fetch cache, expands compressed encodings with a table,
and executes the common integer instructions inline; rarer work (CSRs,
atomics, floating point, page walks, device access) lives in helper
functions.  It returns an exit reason (``rvisor.hw.layout.EXIT_*``), like
KVM_RUN, with details in the hart's ``hs`` slots.

Interrupts are checked at run start, after every instruction that may
change what is pending or enabled (CSR writes, xRET, CLINT stores), and
when the deterministic clock reaches the next timer deadline; in between
the loop pays a single compare per instruction.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rvisor.hw import layout as L
from rvisor.hw.alu import muldiv
from rvisor.hw.clint import clint_load, clint_store
from rvisor.hw.csr import MIP_SEIP, csr_allowed, csr_read, csr_write, mip_value
from rvisor.hw.edev import edev_find, edev_load, edev_store
from rvisor.hw.fpu import WROTE_F, fp_compute
from rvisor.hw.hcsr import vs_number
from rvisor.hw.hext import SYS_SFENCE, SYS_SRET, SYS_WFI, hyp_op, sfence, system_check, tinst_value
from rvisor.hw.mmu import data_key, translate
from rvisor.hw.tlb import (ACC_FETCH, ACC_LOAD, ACC_STORE, CTX_SHIFT, N_CTX, NO_PAGE, TLB_FLAT, ctx_salt,
                           ctx_select, last_page)
from rvisor.hw.trap import TO_FIRMWARE, TO_VMM, pick_interrupt, take_trap, xret

SIGN = -(1 << 63)
M32 = 0xFFFFFFFF
BOX32 = -(1 << 32)  # upper 32 bits set: NaN-boxing of a single-precision value

# slow-path result codes
OK = 0
MMIO = 1
YIELD = -1  # a store that sent an IPI: end the slice so the target hart runs
HTIF = -2  # a store that wrote the HTIF tohost word: Python acts on the command
DEVICE = -3  # an engine-resident device completed the access and needs Python (EXIT_DEVICE)
FAULT = 2  # FAULT + cause: raise exception `cause` with tval = the virtual address


# runs for SRL/SRLI/SRLW: logical shift right of a 64-bit pattern
@njit(cache=True, nogil=True)
def srl(a, sh):
    if sh == 0:
        return a
    return (a >> sh) & ~(-1 << (64 - sh))


# runs for SLTU, branches and AMOMINU/MAXU: unsigned a < b on int64-held patterns
@njit(cache=True, nogil=True)
def ult(a, b):
    return (a ^ SIGN) < (b ^ SIGN)


# runs for each byte of a misaligned access: that byte's RAM offset, translated on its own since
# the access may cross into another page. Returns (OK, offset) or (FAULT + cause, 0).
@njit(cache=True, nogil=True)
def byte_offset(h, va, pa, i, acc, csr, hs, r64, mach, tlb, cnt):
    ram_base = mach[L.M_RAM_BASE]
    p = pa + i if i == 0 else translate(h, va + i, acc, csr, hs, r64, ram_base, mach[L.M_RAM_SIZE], tlb, cnt)
    if p < 0:
        return FAULT - p - 1, 0
    if p - ram_base < 0 or p - ram_base >= mach[L.M_RAM_SIZE]:
        return FAULT + (L.EXC_STORE_ACCESS if acc == ACC_STORE else L.EXC_LOAD_ACCESS), 0
    return OK, p - ram_base


# runs for loads that miss the fast path: misaligned, MROM, CLINT or device addresses.
# Returns (code, value): OK with the value, MMIO after filling the exit slots, or FAULT + cause.
@njit(cache=True, nogil=True)
def load_slow(h, va, size, signed, ram, rom, csr, hs, r64, mach, tlb, cnt, mtime):
    ram_base = mach[L.M_RAM_BASE]
    ram_size = mach[L.M_RAM_SIZE]
    pa = translate(h, va, ACC_LOAD, csr, hs, r64, ram_base, ram_size, tlb, cnt)
    if pa < 0:
        return FAULT - pa - 1, va
    v = 0
    code = OK
    if va & (size - 1):
        # misaligned: assemble byte by byte (it may cross a page)
        for i in range(size):
            code, off = byte_offset(h, va, pa, i, ACC_LOAD, csr, hs, r64, mach, tlb, cnt)
            if code != OK:
                return code, va + i  # xtval: the part of the access that faulted
            v |= np.int64(ram[off]) << (8 * i)
    else:
        off = pa - ram_base
        if 0 <= off < ram_size:
            for i in range(size):
                v |= np.int64(ram[off + i]) << (8 * i)
        elif L.ROM_BASE <= pa and pa + size <= L.ROM_BASE + L.ROM_SIZE:
            for i in range(size):
                v |= np.int64(rom[pa - L.ROM_BASE + i]) << (8 * i)
        elif L.CLINT_BASE <= pa < L.CLINT_BASE + L.CLINT_SIZE:
            v = clint_load(pa - L.CLINT_BASE, size, hs, mach, mtime)
        else:
            b = edev_find(mach, pa)
            if b < 0:
                hs[h, L.HS_EXIT_ADDR] = pa
                hs[h, L.HS_EXIT_SIZE] = size
                hs[h, L.HS_EXIT_FLAGS] = L.MMIO_SIGNED if signed else 0
                hs[h, L.HS_EXIT_TVAL] = va  # for the access fault Python raises if no device answers
                return MMIO, 0
            v, need = edev_load(mach, b, pa, size)
            if need:
                code = DEVICE
    if signed and size < 8:
        v = (v << (64 - 8 * size)) >> (64 - 8 * size)
    return code, v


# runs for stores that miss the fast path (see load_slow); returns (code, tval): OK (tval 1 after a
# CLINT store), MMIO, YIELD, HTIF, DEVICE, or FAULT + cause with the faulting address
@njit(cache=True, nogil=True)
def store_slow(h, va, size, value, ram, csr, hs, r64, mach, tlb, cnt, mtime):
    ram_base = mach[L.M_RAM_BASE]
    ram_size = mach[L.M_RAM_SIZE]
    pa = translate(h, va, ACC_STORE, csr, hs, r64, ram_base, ram_size, tlb, cnt)
    if pa < 0:
        return FAULT - pa - 1, va
    touched = False
    if va & (size - 1):
        # check every byte first so a faulting store writes nothing
        for i in range(size):
            code, off = byte_offset(h, va, pa, i, ACC_STORE, csr, hs, r64, mach, tlb, cnt)
            if code != OK:
                return code, va + i
        for i in range(size):
            _, off = byte_offset(h, va, pa, i, ACC_STORE, csr, hs, r64, mach, tlb, cnt)
            ram[off] = (value >> (8 * i)) & 0xFF
            if ((off + ram_base) & ~7) == mach[L.M_TOHOST]:
                touched = True
        return (HTIF if touched else OK), 0
    off = pa - ram_base
    if 0 <= off < ram_size:
        for i in range(size):
            ram[off + i] = (value >> (8 * i)) & 0xFF
        return (HTIF if (pa & ~7) == mach[L.M_TOHOST] else OK), 0
    if L.CLINT_BASE <= pa < L.CLINT_BASE + L.CLINT_SIZE:
        if clint_store(pa - L.CLINT_BASE, size, value, hs, mach, mtime) == 2:
            return YIELD, 0
        return OK, 1  # tval 1: the caller re-checks interrupts and the clock
    if L.ROM_BASE <= pa < L.ROM_BASE + L.ROM_SIZE:
        return FAULT + L.EXC_STORE_ACCESS, va
    b = edev_find(mach, pa)
    if b >= 0:
        return (DEVICE if edev_store(mach, b, pa, size, value) else OK), 0
    hs[h, L.HS_EXIT_ADDR] = pa
    hs[h, L.HS_EXIT_SIZE] = size
    hs[h, L.HS_EXIT_FLAGS] = L.MMIO_WRITE
    hs[h, L.HS_EXIT_VALUE] = value
    hs[h, L.HS_EXIT_TVAL] = va
    return MMIO, 0


# runs when the fetch cache misses: translate pc, read the instruction (may span two pages).
# Returns (code, insn, page_offset): page_offset >= 0 when pc's page is RAM and may be cached.
@njit(cache=True, nogil=True)
def fetch_slow(h, pc, ram, rom, csr, hs, r64, mach, tlb, cnt):
    ram_base = mach[L.M_RAM_BASE]
    ram_size = mach[L.M_RAM_SIZE]
    lo = 0
    hi = 0
    page = -1
    for part in range(2):
        va = pc + 2 * part
        pa = translate(h, va, ACC_FETCH, csr, hs, r64, ram_base, ram_size, tlb, cnt)
        if pa < 0:
            return FAULT - pa - 1, va, -1
        off = pa - ram_base
        if 0 <= off < ram_size:
            v = np.int64(ram[off]) | (np.int64(ram[off + 1]) << 8)
            if part == 0:
                page = off - (pa & 0xFFF)
        elif L.ROM_BASE <= pa < L.ROM_BASE + L.ROM_SIZE:
            v = np.int64(rom[pa - L.ROM_BASE]) | (np.int64(rom[pa - L.ROM_BASE + 1]) << 8)
        else:
            return FAULT + L.EXC_INSN_ACCESS, va, -1
        if part == 0:
            lo = v
            if (lo & 3) != 3:
                return OK, lo, page
        else:
            hi = v
    return OK, lo | (hi << 16), page


# runs for Zicsr instructions; returns 0, 1 when the instruction is illegal, 2 when it is a
# virtual instruction (V=1); with V=1 the supervisor CSR numbers reach the VS registers
@njit(cache=True, nogil=True)
def csr_op(h, insn, priv, x, csr, hs, tlb, instret, mtime):
    num = (insn >> 20) & 0xFFF
    f3 = (insn >> 12) & 7
    rd = (insn >> 7) & 31
    rs1 = (insn >> 15) & 31
    src = x[h, rs1] if f3 < 4 else rs1
    kind = f3 & 3
    write = kind == 1 or rs1 != 0
    if kind == 0:
        return 1
    virt = hs[h, L.HS_V]
    ok = csr_allowed(h, num, write, priv, virt, csr)
    if ok != 0:
        return ok
    if virt != 0:
        num = vs_number(num)
    old = 0
    if kind != 1 or rd != 0:
        old = csr_read(h, num, csr, hs, instret, mtime)
    if write:
        base = old
        if num == L.CSR_MIP:
            # only the software-writable SEIP bit takes part in a read-modify-write, not the
            # external line ORed into what software reads (priv spec 3.1.9, mip)
            base = (old & ~MIP_SEIP) | (csr[h, L.CSR_MIP] & MIP_SEIP)
        if kind == 1:
            new = src
        elif kind == 2:
            new = base | src
        else:
            new = base & ~src
        if csr_write(h, num, new, csr, hs, instret):
            ctx_select(h, csr, hs, tlb)  # satp, vsatp or hgatp: switch context, keep the others' entries
    if rd != 0:
        x[h, rd] = old
    return 0


# runs for the A extension (LR/SC and AMOs); returns OK or FAULT + cause
@njit(cache=True, nogil=True)
def amo_op(h, insn, x, ram, r32, r64, csr, hs, mach, tlb, cnt):
    f3 = (insn >> 12) & 7
    f5 = (insn >> 27) & 31
    rd = (insn >> 7) & 31
    rs1 = (insn >> 15) & 31
    rs2 = (insn >> 20) & 31
    if f3 != 2 and f3 != 3:
        return FAULT + L.EXC_ILLEGAL
    size = 4 if f3 == 2 else 8
    va = x[h, rs1]
    ram_base = mach[L.M_RAM_BASE]
    ram_size = mach[L.M_RAM_SIZE]
    if f5 == 2:  # LR
        if rs2 != 0:
            return FAULT + L.EXC_ILLEGAL
        if va & (size - 1):
            return FAULT + L.EXC_LOAD_MISALIGNED
        pa = translate(h, va, ACC_LOAD, csr, hs, r64, ram_base, ram_size, tlb, cnt)
        if pa < 0:
            return FAULT - pa - 1
        off = pa - ram_base
        if off < 0 or off >= ram_size:
            return FAULT + L.EXC_LOAD_ACCESS
        v = np.int64(r32[off >> 2]) if size == 4 else r64[off >> 3]
        hs[h, L.HS_RES_ADDR] = pa
        hs[h, L.HS_RES_VALID] = 1
        if rd != 0:
            x[h, rd] = v
        return OK
    if f5 != 3 and f5 not in (0, 1, 4, 8, 12, 16, 20, 24, 28):
        return FAULT + L.EXC_ILLEGAL
    if va & (size - 1):
        return FAULT + L.EXC_STORE_MISALIGNED
    pa = translate(h, va, ACC_STORE, csr, hs, r64, ram_base, ram_size, tlb, cnt)
    if pa < 0:
        return FAULT - pa - 1
    off = pa - ram_base
    if off < 0 or off >= ram_size:
        return FAULT + L.EXC_STORE_ACCESS
    b = x[h, rs2]
    if f5 == 3:  # SC: succeeds only with a valid reservation on this address
        ok = hs[h, L.HS_RES_VALID] != 0 and hs[h, L.HS_RES_ADDR] == pa
        hs[h, L.HS_RES_VALID] = 0
        if ok:
            if size == 4:
                r32[off >> 2] = (b << 32) >> 32
            else:
                r64[off >> 3] = b
        if rd != 0:
            x[h, rd] = 0 if ok else 1
        return OK
    if size == 4:
        old = np.int64(r32[off >> 2])
        b = (b << 32) >> 32
    else:
        old = r64[off >> 3]
    if f5 == 0:
        new = old + b
    elif f5 == 1:
        new = b
    elif f5 == 4:
        new = old ^ b
    elif f5 == 8:
        new = old | b
    elif f5 == 12:
        new = old & b
    elif f5 == 16:
        new = old if old < b else b
    elif f5 == 20:
        new = old if old > b else b
    else:
        ua = old & M32 if size == 4 else old
        ub = b & M32 if size == 4 else b
        lt = ult(ua, ub)
        if f5 == 24:
            new = old if lt else b
        else:
            new = b if lt else old
    if size == 4:
        r32[off >> 2] = (new << 32) >> 32
    else:
        r64[off >> 3] = new
    if rd != 0:
        x[h, rd] = old
    return OK


# runs for FLW/FLD/FSW/FSD that miss the fast path (misaligned, CLINT, faults): the integer slow
# paths do the access; device memory is not supported for FP. Returns (code, tval) as store_slow.
@njit(cache=True, nogil=True)
def fp_mem(h, insn, va, size, x, f, ram, rom, csr, hs, r64, mach, tlb, cnt, mtime):
    if (insn & 0x7F) == 0x27:
        v = f[h, (insn >> 20) & 31]
        if size == 4:
            v &= M32
        code, tval = store_slow(h, va, size, v, ram, csr, hs, r64, mach, tlb, cnt, mtime)
        if code == MMIO:
            return FAULT + L.EXC_STORE_ACCESS, va
        # a device's pending event waits for the slice's end (FP access to a device is odd anyway)
        return (OK if code == YIELD or code == DEVICE else code), tval
    code, v = load_slow(h, va, size, False, ram, rom, csr, hs, r64, mach, tlb, cnt, mtime)
    if code == MMIO:
        return FAULT + L.EXC_LOAD_ACCESS, va
    if code == DEVICE:
        code = OK
    if code != OK:
        return code, v
    f[h, (insn >> 7) & 31] = (v & M32) | BOX32 if size == 4 else v
    st = csr[h, L.CSR_MSTATUS]
    if (st & L.MSTATUS_FS) != L.MSTATUS_FS:
        csr[h, L.CSR_MSTATUS] = st | L.MSTATUS_FS | L.MSTATUS_SD
    return OK, 0


# runs for rdtime and CLINT accesses: mtime as of the current instruction (the loop's `mtime`
# is only refreshed at interrupt checks, which a polling loop may not reach for a while)
@njit(cache=True, nogil=True)
def now(mtime, mtime0, frac, n, ipt):
    if ipt > 0:
        return mtime0 + (frac + n) // ipt
    return mtime


# runs at each interrupt check with the deterministic clock: the instruction count at which
# the nearest future timer deadline (mtimecmp, stimecmp, SBI timer) falls, capped at `limit`
@njit(cache=True, nogil=True)
def next_deadline(h, limit, csr, hs, mtime0, frac, ipt, mtime):
    best = limit
    horizon = (limit + frac) // ipt + 2
    for k in range(4):
        if k == 0:
            d = hs[h, L.HS_MTIMECMP]
        elif k == 1:
            if (csr[h, L.CSR_MENVCFG] & SIGN) == 0:
                continue
            d = csr[h, L.CSR_STIMECMP]
        elif k == 3:
            if (csr[h, L.CSR_MENVCFG] & csr[h, L.CSR_HENVCFG] & SIGN) == 0:
                continue
            d = csr[h, L.CSR_VSTIMECMP] - csr[h, L.CSR_HTIMEDELTA]  # in mtime terms
        else:
            if hs[h, L.HS_FIRMWARE] == 0:
                continue
            d = hs[h, L.HS_SBI_TIMECMP]
        if d <= mtime or d - mtime0 > horizon:
            continue  # already pending (or unsigned-huge), or beyond this run
        at = (d - mtime0) * ipt - frac
        if at < best:
            best = at
    return best


# runs when Python asks whether a hart parked in WFI has an interrupt to wake it (priv 3.3.3)
@njit(cache=True, nogil=True)
def wfi_wakeup(h, csr, hs, mtime):
    return (mip_value(h, csr, hs, mtime) & csr[h, L.CSR_MIE]) != 0


# runs once per engine call: execute up to `budget` instructions of hart h
@njit(cache=True, nogil=True)
def run(h, budget, ram, r16, r32, r64, rom, ctab, x, f, csr, hs, cnt, mach, tlb):
    pc = hs[h, L.HS_PC]
    ram_base = mach[L.M_RAM_BASE]
    ram_size = mach[L.M_RAM_SIZE]
    ipt = mach[L.M_IPT]
    tohost = mach[L.M_TOHOST]
    mtime0 = mach[L.M_MTIME]
    frac = hs[h, L.HS_TIME_FRAC]
    instret0 = cnt[h, L.CNT_INSTRET]
    hs[h, L.HS_RES_VALID] = 0  # another hart may have run: drop the LR reservation
    # this hart's TLB as one flat row: a data-TLB hit then indexes once, not four times
    tlbh = tlb[h].reshape(TLB_FLAT)
    ctx_select(h, csr, hs, tlb)  # Python may have written satp/vsatp/hgatp (rvisor.hw.tlb, contract)
    n = 0
    next_check = 0
    fetch_vpn = -1
    fetch_page = 0
    data_bare = True
    # the last page each of loads and stores hit in the data TLB (rvisor.hw.tlb.last_page); dropped
    # wherever the data translation may change (the context check below, fences)
    ld_vpn = NO_PAGE
    ld_page = 0
    st_vpn = NO_PAGE
    st_page = 0
    dkey = 0
    dsalt = 0
    vfs_off = False
    priv = hs[h, L.HS_PRIV]
    mtime = mtime0
    reason = L.EXIT_BUDGET
    while True:
        if n >= next_check:
            # interrupt check and recomputation of the translation context
            if ipt > 0:
                mtime = mtime0 + (frac + n) // ipt
            priv = hs[h, L.HS_PRIV]
            mstatus = csr[h, L.CSR_MSTATUS]
            hs[h, L.HS_EVENT] = 0
            pend = mip_value(h, csr, hs, mtime) & csr[h, L.CSR_MIE]
            if pend != 0:
                irq = pick_interrupt(
                    priv,
                    hs[h, L.HS_V],
                    mstatus,
                    pend,
                    csr[h, L.CSR_MIDELEG],
                    csr[h, L.CSR_HIDELEG],
                    csr[h, L.CSR_VSSTATUS],
                )
                if irq >= 0:
                    npc = take_trap(h, irq, 0, pc, True, csr, hs, cnt)
                    if npc == TO_FIRMWARE or npc == TO_VMM:
                        reason = L.EXIT_TRAP if npc == TO_FIRMWARE else L.EXIT_HS_TRAP
                        break
                    pc = npc
                    priv = hs[h, L.HS_PRIV]
                    mstatus = csr[h, L.CSR_MSTATUS]
                    fetch_vpn = -1
            if n >= budget:
                break
            next_check = budget
            if ipt > 0:
                next_check = next_deadline(h, budget, csr, hs, mtime0, frac, ipt, mtime)
            dkey = data_key(h, priv, csr, hs)
            data_bare = dkey < 0
            ld_vpn = NO_PAGE
            st_vpn = NO_PAGE
            dsalt = ctx_salt((dkey >> CTX_SHIFT) & (N_CTX - 1))  # where this context's entries sit
            # V=1: FP instructions also need vsstatus.FS on (Hypervisor chapter, vsstatus)
            vfs_off = hs[h, L.HS_V] != 0 and (csr[h, L.CSR_VSSTATUS] & L.MSTATUS_FS) == 0

        # ---- fetch ------------------------------------------------------------
        exc = -1
        tval = 0
        if (pc >> 12) == fetch_vpn and (pc & 0xFFF) != 0xFFE:
            off = fetch_page + (pc & 0xFFF)
            insn = np.int64(r16[off >> 1]) & 0xFFFF
            if (insn & 3) == 3:
                insn |= (np.int64(r16[(off >> 1) + 1]) & 0xFFFF) << 16
        else:
            code, insn, page = fetch_slow(h, pc, ram, rom, csr, hs, r64, mach, tlb, cnt)
            if code != OK:
                exc = code - FAULT
                tval = insn
                insn = 0
            elif page >= 0:
                fetch_vpn = pc >> 12
                fetch_page = page
        raw = insn
        ilen = 4
        if exc < 0 and (insn & 3) != 3:
            ilen = 2
            insn = ctab[insn]
            if insn == 0:
                exc = L.EXC_ILLEGAL
                tval = raw
        npc = pc + ilen

        # ---- execute ------------------------------------------------------------
        if exc < 0:
            op = insn & 0x7F
            rd = (insn >> 7) & 31
            rs1 = (insn >> 15) & 31
            f3 = (insn >> 12) & 7
            if op == 0x13:  # OP-IMM
                imm = (insn << 32) >> 52
                a = x[h, rs1]
                if f3 == 0:
                    x[h, rd] = a + imm
                elif f3 == 1:
                    if (insn >> 26) != 0:
                        exc = L.EXC_ILLEGAL
                    else:
                        x[h, rd] = a << (imm & 63)
                elif f3 == 2:
                    x[h, rd] = 1 if a < imm else 0
                elif f3 == 3:
                    x[h, rd] = 1 if ult(a, imm) else 0
                elif f3 == 4:
                    x[h, rd] = a ^ imm
                elif f3 == 5:
                    f6 = insn >> 26
                    if f6 == 0:
                        x[h, rd] = srl(a, imm & 63)
                    elif f6 == 0x10:
                        x[h, rd] = a >> (imm & 63)
                    else:
                        exc = L.EXC_ILLEGAL
                elif f3 == 6:
                    x[h, rd] = a | imm
                else:
                    x[h, rd] = a & imm
            elif op == 0x03 or op == 0x23:  # LOAD / STORE
                store = op == 0x23
                if store:
                    imm = (((insn << 32) >> 57) << 5) | ((insn >> 7) & 0x1F)
                else:
                    imm = (insn << 32) >> 52
                va = x[h, rs1] + imm
                size = 1 << (f3 & 3)
                if (store and f3 > 3) or f3 == 7:
                    exc = L.EXC_ILLEGAL
                else:
                    pa = -1
                    if data_bare:
                        pa = va
                    else:
                        vpn = va >> 12
                        if store:
                            st_vpn, st_page = last_page(tlbh, ACC_STORE, vpn, dsalt, dkey, st_vpn, st_page)
                            if st_vpn != NO_PAGE:
                                pa = st_page | (va & 0xFFF)
                        elif vpn == st_vpn:  # a page stored to is readable too (W needs R)
                            pa = st_page | (va & 0xFFF)
                        else:
                            ld_vpn, ld_page = last_page(tlbh, ACC_LOAD, vpn, dsalt, dkey, ld_vpn, ld_page)
                            if ld_vpn != NO_PAGE:
                                pa = ld_page | (va & 0xFFF)
                    off = pa - ram_base
                    fast = pa >= 0 and 0 <= off < ram_size and (va & (size - 1)) == 0
                    if store:
                        v = x[h, (insn >> 20) & 31]
                        if fast:
                            if f3 == 0:
                                ram[off] = v & 0xFF
                            elif f3 == 1:
                                r16[off >> 1] = ((v & 0xFFFF) << 48) >> 48
                            elif f3 == 2:
                                r32[off >> 2] = (v << 32) >> 32
                            else:
                                r64[off >> 3] = v
                            if (pa & ~7) == tohost:  # any part of the 64-bit tohost word
                                reason = L.EXIT_HTIF
                                n += 1
                                pc = npc
                                break
                        else:
                            code, fva = store_slow(
                                h,
                                va,
                                size,
                                v,
                                ram,
                                csr,
                                hs,
                                r64,
                                mach,
                                tlb,
                                cnt,
                                now(mtime, mtime0, frac, n, ipt),
                            )
                            if code == MMIO:
                                hs[h, L.HS_EXIT_PC] = pc
                                reason = L.EXIT_MMIO
                                n += 1
                                pc = npc
                                break
                            if code < 0:  # YIELD, HTIF or DEVICE: the store is done, Python acts
                                if code == YIELD:
                                    reason = L.EXIT_YIELD
                                elif code == HTIF:
                                    reason = L.EXIT_HTIF
                                else:
                                    reason = L.EXIT_DEVICE
                                n += 1
                                pc = npc
                                break
                            if code != OK:
                                exc = code - FAULT
                                tval = fva
                            elif fva == 1:  # a CLINT store: timers or mtime may have moved
                                mtime0 = mach[L.M_MTIME]
                                next_check = 0
                    else:
                        if fast:
                            if f3 == 0:
                                v = (np.int64(ram[off]) << 56) >> 56
                            elif f3 == 1:
                                v = np.int64(r16[off >> 1])
                            elif f3 == 2:
                                v = np.int64(r32[off >> 2])
                            elif f3 == 3:
                                v = r64[off >> 3]
                            elif f3 == 4:
                                v = np.int64(ram[off])
                            elif f3 == 5:
                                v = np.int64(r16[off >> 1]) & 0xFFFF
                            else:
                                v = np.int64(r32[off >> 2]) & M32
                            x[h, rd] = v
                        else:
                            code, v = load_slow(
                                h,
                                va,
                                size,
                                f3 < 4,
                                ram,
                                rom,
                                csr,
                                hs,
                                r64,
                                mach,
                                tlb,
                                cnt,
                                now(mtime, mtime0, frac, n, ipt),
                            )
                            if code == OK:
                                x[h, rd] = v
                            elif code == DEVICE:
                                if rd != 0:
                                    x[h, rd] = v
                                reason = L.EXIT_DEVICE
                                n += 1
                                pc = npc
                                break
                            elif code == MMIO:
                                hs[h, L.HS_EXIT_PC] = pc
                                hs[h, L.HS_EXIT_RD] = rd
                                reason = L.EXIT_MMIO
                                n += 1
                                pc = npc
                                break
                            else:
                                exc = code - FAULT
                                tval = v
            elif op == 0x33:  # OP
                a = x[h, rs1]
                b = x[h, (insn >> 20) & 31]
                f7 = insn >> 25
                if f7 == 0:
                    if f3 == 0:
                        x[h, rd] = a + b
                    elif f3 == 1:
                        x[h, rd] = a << (b & 63)
                    elif f3 == 2:
                        x[h, rd] = 1 if a < b else 0
                    elif f3 == 3:
                        x[h, rd] = 1 if ult(a, b) else 0
                    elif f3 == 4:
                        x[h, rd] = a ^ b
                    elif f3 == 5:
                        x[h, rd] = srl(a, b & 63)
                    elif f3 == 6:
                        x[h, rd] = a | b
                    else:
                        x[h, rd] = a & b
                elif f7 == 0x20 and f3 == 0:
                    x[h, rd] = a - b
                elif f7 == 0x20 and f3 == 5:
                    x[h, rd] = a >> (b & 63)
                elif f7 == 1:
                    x[h, rd] = muldiv(f3, a, b, False)
                    if f3 == 4 and ((insn >> 20) & 31) == 0 and n >= mach[L.M_YIELD_MIN]:
                        # `div rd, rd, zero` is Linux's cpu_relax() without Zihintpause: the hart
                        # spins waiting for another one, which should run first
                        reason = L.EXIT_YIELD
                        n += 1
                        pc = npc
                        break
                else:
                    exc = L.EXC_ILLEGAL
            elif op == 0x63:  # BRANCH
                a = x[h, rs1]
                b = x[h, (insn >> 20) & 31]
                if f3 == 0:
                    t = a == b
                elif f3 == 1:
                    t = a != b
                elif f3 == 4:
                    t = a < b
                elif f3 == 5:
                    t = a >= b
                elif f3 == 6:
                    t = ult(a, b)
                elif f3 == 7:
                    t = not ult(a, b)
                else:
                    t = False
                    exc = L.EXC_ILLEGAL
                if t:
                    npc = pc + (
                        (((insn << 32) >> 63) << 12)
                        | (((insn >> 7) & 1) << 11)
                        | (((insn >> 25) & 0x3F) << 5)
                        | (((insn >> 8) & 0xF) << 1)
                    )
            elif op == 0x6F:  # JAL
                x[h, rd] = pc + ilen
                npc = pc + (
                    (((insn << 32) >> 63) << 20)
                    | (insn & 0xFF000)
                    | (((insn >> 20) & 1) << 11)
                    | (((insn >> 21) & 0x3FF) << 1)
                )
            elif op == 0x67:  # JALR
                if f3 != 0:
                    exc = L.EXC_ILLEGAL
                else:
                    t = (x[h, rs1] + ((insn << 32) >> 52)) & ~1
                    x[h, rd] = pc + ilen
                    npc = t
            elif op == 0x37:  # LUI
                x[h, rd] = ((insn & 0xFFFFF000) << 32) >> 32
            elif op == 0x17:  # AUIPC
                x[h, rd] = pc + (((insn & 0xFFFFF000) << 32) >> 32)
            elif op == 0x1B:  # OP-IMM-32
                a = x[h, rs1]
                sh = (insn >> 20) & 31
                f7 = insn >> 25
                if f3 == 0:
                    x[h, rd] = ((a + ((insn << 32) >> 52)) << 32) >> 32
                elif f3 == 1 and f7 == 0:
                    x[h, rd] = (a << (sh + 32)) >> 32
                elif f3 == 5 and f7 == 0:
                    x[h, rd] = (((a & M32) >> sh) << 32) >> 32
                elif f3 == 5 and f7 == 0x20:
                    x[h, rd] = ((a << 32) >> 32) >> sh
                else:
                    exc = L.EXC_ILLEGAL
            elif op == 0x3B:  # OP-32
                a = x[h, rs1]
                b = x[h, (insn >> 20) & 31]
                f7 = insn >> 25
                sh = b & 31
                if f7 == 0 and f3 == 0:
                    x[h, rd] = ((a + b) << 32) >> 32
                elif f7 == 0x20 and f3 == 0:
                    x[h, rd] = ((a - b) << 32) >> 32
                elif f7 == 0 and f3 == 1:
                    x[h, rd] = (a << (sh + 32)) >> 32
                elif f7 == 0 and f3 == 5:
                    x[h, rd] = (((a & M32) >> sh) << 32) >> 32
                elif f7 == 0x20 and f3 == 5:
                    x[h, rd] = ((a << 32) >> 32) >> sh
                elif f7 == 1 and f3 != 1 and f3 != 2 and f3 != 3:
                    x[h, rd] = muldiv(f3, a, b, True)
                else:
                    exc = L.EXC_ILLEGAL
            elif op == 0x73:  # SYSTEM
                if f3 == 0:
                    if insn == 0x00000073:  # ECALL
                        virt = hs[h, L.HS_V]
                        if priv == L.PRV_S and virt == 0 and hs[h, L.HS_FIRMWARE] != 0:
                            hs[h, L.HS_EXIT_PC] = pc
                            reason = L.EXIT_SBI
                            n += 1
                            pc = npc
                            break
                        exc = L.EXC_ECALL_U + priv
                        if virt != 0 and priv == L.PRV_S:
                            exc = L.EXC_ECALL_VS
                    elif insn == 0x00100073:  # EBREAK
                        if hs[h, L.HS_DEBUG] != 0:
                            hs[h, L.HS_EXIT_PC] = pc
                            reason = L.EXIT_BREAK
                            break
                        exc = L.EXC_BREAKPOINT
                        tval = pc
                    elif insn == 0x10200073:  # SRET
                        exc = system_check(h, SYS_SRET, priv, csr, hs)
                        if exc < 0:
                            npc = xret(h, False, csr, hs, cnt)
                            fetch_vpn = -1
                            next_check = 0
                    elif insn == 0x30200073:  # MRET
                        if priv != L.PRV_M:
                            exc = L.EXC_ILLEGAL
                        else:
                            npc = xret(h, True, csr, hs, cnt)
                            fetch_vpn = -1
                            next_check = 0
                    elif insn == 0x10500073:  # WFI
                        exc = system_check(h, SYS_WFI, priv, csr, hs)
                        if exc < 0 and not wfi_wakeup(h, csr, hs, mtime):
                            hs[h, L.HS_EXIT_PC] = pc
                            reason = L.EXIT_WFI
                            n += 1
                            pc = npc
                            break
                        elif exc < 0 and n >= mach[L.M_YIELD_MIN]:
                            # an interrupt is pending but masked: this WFI sits in a polling loop
                            # waiting for another hart, so let the other harts run now
                            reason = L.EXIT_YIELD
                            n += 1
                            pc = npc
                            break
                    elif (insn >> 25) == 0x09 and rd == 0:  # SFENCE.VMA
                        exc = system_check(h, SYS_SFENCE, priv, csr, hs)
                        if exc < 0:
                            sfence(h, insn, hs[h, L.HS_V] != 0, x, csr, hs, tlb)
                            fetch_vpn = -1
                            ld_vpn = NO_PAGE
                            st_vpn = NO_PAGE
                    elif (insn >> 25) == 0x11 or (insn >> 25) == 0x31:  # HFENCE.VVMA / HFENCE.GVMA
                        code, _ = hyp_op(h, insn, priv, x, ram, rom, csr, hs, r64, mach, tlb, cnt, mtime)
                        if code != OK:
                            exc = code - FAULT
                        fetch_vpn = -1
                        ld_vpn = NO_PAGE
                        st_vpn = NO_PAGE
                    else:
                        exc = L.EXC_ILLEGAL
                elif f3 == 4:  # HLV, HLVX, HSV
                    t_now = now(mtime, mtime0, frac, n, ipt)
                    code, hva = hyp_op(h, insn, priv, x, ram, rom, csr, hs, r64, mach, tlb, cnt, t_now)
                    if code == MMIO:
                        hs[h, L.HS_EXIT_PC] = pc
                        reason = L.EXIT_MMIO
                        n += 1
                        pc = npc
                        break
                    if code < 0:  # an HSV that wrote tohost or sent an IPI: the store is done
                        reason = L.EXIT_HTIF if code == HTIF else L.EXIT_YIELD
                        n += 1
                        pc = npc
                        break
                    if code != OK:
                        exc = code - FAULT
                        tval = hva
                    elif hva == 1:  # a CLINT store: timers or mtime may have moved
                        mtime0 = mach[L.M_MTIME]
                        next_check = 0
                else:
                    t_now = now(mtime, mtime0, frac, n, ipt)
                    code = csr_op(h, insn, priv, x, csr, hs, tlb, instret0 + n, t_now)
                    if code != 0:
                        exc = L.EXC_ILLEGAL if code == 1 else L.EXC_VIRTUAL_INSN
                    else:
                        fetch_vpn = -1
                        next_check = 0
            elif op == 0x0F:  # MISC-MEM: FENCE, FENCE.I (no instruction cache to flush)
                if f3 > 1:
                    exc = L.EXC_ILLEGAL
                elif insn == 0x0100000F and n >= mach[L.M_YIELD_MIN]:
                    # PAUSE (Zihintpause): a spin-wait hint; give the other harts the host now
                    reason = L.EXIT_YIELD
                    n += 1
                    pc = npc
                    break
            elif op == 0x2F:  # AMO
                code = amo_op(h, insn, x, ram, r32, r64, csr, hs, mach, tlb, cnt)
                if code != OK:
                    exc = code - FAULT
                    tval = x[h, rs1]
            elif op == 0x07 or op == 0x27:  # LOAD-FP / STORE-FP
                if (f3 != 2 and f3 != 3) or (csr[h, L.CSR_MSTATUS] & L.MSTATUS_FS) == 0 or vfs_off:
                    exc = L.EXC_ILLEGAL
                else:
                    if op == 0x27:
                        va = x[h, rs1] + ((((insn << 32) >> 57) << 5) | ((insn >> 7) & 0x1F))
                    else:
                        va = x[h, rs1] + ((insn << 32) >> 52)
                    # fast path: an aligned access to RAM through the data TLB
                    pa = -1
                    if data_bare:
                        pa = va
                    elif op == 0x27:
                        st_vpn, st_page = last_page(tlbh, ACC_STORE, va >> 12, dsalt, dkey, st_vpn, st_page)
                        if st_vpn != NO_PAGE:
                            pa = st_page | (va & 0xFFF)
                    elif (va >> 12) == st_vpn:  # a page stored to is readable too (W needs R)
                        pa = st_page | (va & 0xFFF)
                    else:
                        ld_vpn, ld_page = last_page(tlbh, ACC_LOAD, va >> 12, dsalt, dkey, ld_vpn, ld_page)
                        if ld_vpn != NO_PAGE:
                            pa = ld_page | (va & 0xFFF)
                    off = pa - ram_base
                    size = 4 if f3 == 2 else 8
                    if pa >= 0 and 0 <= off < ram_size and (va & (size - 1)) == 0 and (pa & ~7) != tohost:
                        if op == 0x27:
                            if size == 8:
                                r64[off >> 3] = f[h, (insn >> 20) & 31]
                            else:
                                r32[off >> 2] = (f[h, (insn >> 20) & 31] << 32) >> 32
                        else:
                            if size == 8:
                                f[h, rd] = r64[off >> 3]
                            else:
                                f[h, rd] = (np.int64(r32[off >> 2]) & M32) | BOX32
                            if (csr[h, L.CSR_MSTATUS] & L.MSTATUS_FS) != L.MSTATUS_FS:
                                csr[h, L.CSR_MSTATUS] |= L.MSTATUS_FS | L.MSTATUS_SD
                    else:
                        code, fva = fp_mem(
                            h,
                            insn,
                            va,
                            size,
                            x,
                            f,
                            ram,
                            rom,
                            csr,
                            hs,
                            r64,
                            mach,
                            tlb,
                            cnt,
                            now(mtime, mtime0, frac, n, ipt),
                        )
                        if code == HTIF:
                            reason = L.EXIT_HTIF
                            n += 1
                            pc = npc
                            break
                        if code != OK:
                            exc = code - FAULT
                            tval = fva
            elif op == 0x53 or op == 0x43 or op == 0x47 or op == 0x4B or op == 0x4F:
                # F/D computation: fp_compute works on register values; results are applied here
                ms = csr[h, L.CSR_MSTATUS]
                if (ms & L.MSTATUS_FS) == 0 or vfs_off:
                    exc = L.EXC_ILLEGAL
                else:
                    fcsr = csr[h, L.CSR_FCSR]
                    code, val = fp_compute(
                        insn, f[h, rs1], f[h, (insn >> 20) & 31], f[h, (insn >> 27) & 31], x[h, rs1], fcsr
                    )
                    if code < 0:
                        exc = L.EXC_ILLEGAL
                    else:
                        if code & WROTE_F:
                            f[h, rd] = val
                        else:
                            x[h, rd] = val
                        fl = code & 31
                        if fl != 0:
                            csr[h, L.CSR_FCSR] = fcsr | fl
                        if (code & (WROTE_F | 31)) != 0 and (ms & L.MSTATUS_FS) != L.MSTATUS_FS:
                            csr[h, L.CSR_MSTATUS] = ms | L.MSTATUS_FS | L.MSTATUS_SD
            else:
                exc = L.EXC_ILLEGAL
            x[h, 0] = 0

        # ---- retire or trap ------------------------------------------------------
        if exc >= 0:
            if exc == L.EXC_ILLEGAL or exc == L.EXC_VIRTUAL_INSN:
                tval = raw
            hs[h, L.HS_TINST] = tinst_value(h, exc, tval, insn, ilen, x, hs)
            npc = take_trap(h, exc, tval, pc, False, csr, hs, cnt)
            if npc == TO_FIRMWARE or npc == TO_VMM:
                reason = L.EXIT_TRAP if npc == TO_FIRMWARE else L.EXIT_HS_TRAP
                hs[h, L.HS_EXIT_INSN] = insn
                hs[h, L.HS_EXIT_SIZE] = ilen
                break
            fetch_vpn = -1
            next_check = 0
            budget -= 1  # a trap storm (a fault in the handler itself) still ends the run
        else:
            n += 1
        pc = npc

    hs[h, L.HS_PC] = pc
    cnt[h, L.CNT_INSTRET] = instret0 + n
    cnt[h, L.CNT_EXIT + reason] += 1
    if ipt > 0:
        t = frac + n
        mach[L.M_MTIME] += t // ipt
        hs[h, L.HS_TIME_FRAC] = t % ipt
    return reason
