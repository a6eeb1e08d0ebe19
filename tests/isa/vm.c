/*
 * Virtual memory: Sv39 and Sv48 walks with 4 KiB, 2 MiB, 1 GiB (and Sv48
 * 512 GiB) leaves, malformed entries, R/W/X/U permissions with SUM and MXR,
 * A/D updates, SFENCE.VMA, satp WARL, MPRV, page-fault causes and tval.
 *
 * The program's own 1 GiB region (PA 0x80000000) is identity-mapped for S
 * and aliased at VA 0xc0000000 with U=1, so probe() can run its access code
 * in either mode.  All checks run in M-mode.
 */
#define PT_POOL 40
#include "pt.h"

#define RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define RW_AD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

#define SATP_SV39 (8UL << 60)
#define SATP_SV48 (9UL << 60)

#define ECALL_OK(c) ((c) == 8 || (c) == 9 || (c) == 11)
#define OKAY 0xff /* "no fault" in the cause checks below */

#define MEGA_PA 0x80600000UL /* a 2 MiB-aligned block of free DRAM */

enum { U = 0, S = 1, M = 3, MPRV_S = 5, MPRV_U = 4 };

static u64 data[16][512] __attribute__((aligned(4096)));

/* the PTE slot for va at level (0 = 4 KiB leaf), creating tables on the way */
static u64 *slot(u64 *root, int levels, u64 va, int level)
{
    u64 *t = root;
    for (int l = levels - 1; l > level; l--) {
        u64 *e = &t[(va >> (12 + 9 * l)) & 511];
        if (!(*e & PTE_V))
            *e = pte_table(new_table());
        t = pte_to_table(*e);
    }
    return &t[(va >> (12 + 9 * level)) & 511];
}

static void map(u64 *root, int levels, u64 va, u64 pa, int level, u64 flags)
{
    *slot(root, levels, va, level) = pte_leaf(pa, flags);
}

static void sfence(void) { __asm__ volatile("sfence.vma" ::: "memory"); }

/* result of the last probe: OKAY or the exception cause */
static u64 outcome(void)
{
    u64 c = hb_get(HB_CAUSE);
    return ECALL_OK(c) ? OKAY : c;
}

/* check n: the access faults with cause (tval = va) or succeeds (OKAY) */
static u64 expect(long n, u64 mode, u64 kind, u64 va, u64 val, u64 cause)
{
    u64 v = probe(mode, kind, va, val);
    u64 got = outcome();
    check(n, got, cause);
    if (cause != OKAY && got == cause)
        check(n, hb_get(HB_TVAL), va);
    return v;
}

static u64 *root39, *root48;

static void test_sv39(void)
{
    u64 *p0 = data[0], *p1 = data[1];
    u64 base = 0x40000000UL; /* VPN2 = 1: test mappings */

    p0[0] = 0x1111222233334444UL;
    p0[5] = 0x5555;
    p1[0] = 0xaaaabbbbccccddddUL;

    /* 4 KiB leaf: loads and stores reach the physical page */
    map(root39, 3, base, (u64)p0, 0, RW_AD);
    check(1, expect(1, S, PROBE_LD, base, 0, OKAY), 0x1111222233334444UL);
    expect(2, S, PROBE_SD, base + 8, 0x77, OKAY);
    check(3, p0[1], 0x77);
    check(4, expect(4, S, PROBE_LW, base + 40, 0, OKAY), 0x5555);
    /* 2 MiB leaf */
    volatile u64 *mega = (u64 *)MEGA_PA;
    mega[0x12340 / 8] = 0x2020202020202020UL;
    map(root39, 3, base + 0x200000, MEGA_PA, 1, RW_AD);
    check(5, expect(5, S, PROBE_LD, base + 0x200000 + 0x12340, 0, OKAY), 0x2020202020202020UL);
    /* 1 GiB leaf: VA 0x100000000 -> PA 0x80000000 */
    map(root39, 3, 0x100000000UL, 0x80000000UL, 2, RW_AD);
    check(6, expect(6, S, PROBE_LD, 0x100000000UL + ((u64)&p1[0] - 0x80000000UL), 0, OKAY),
          0xaaaabbbbccccddddUL);
    /* the identity gigapage itself */
    check(7, expect(7, S, PROBE_LD, (u64)&p0[0], 0, OKAY), 0x1111222233334444UL);

    /* misaligned superpages are page faults */
    map(root39, 3, base + 0x400000, MEGA_PA + 0x1000, 1, RW_AD);
    expect(8, S, PROBE_LD, base + 0x400000, 0, 13);
    map(root39, 3, 0x140000000UL, 0x80200000UL, 2, RW_AD);
    expect(9, S, PROBE_LD, 0x140000000UL + 0x1000, 0, 13);
    expect(10, S, PROBE_SD, 0x140000000UL, 0, 15);
    /* a non-leaf entry at level 0 */
    *slot(root39, 3, base + 0x1000, 0) = pte_table(pt_pool[0]);
    expect(11, S, PROBE_LD, base + 0x1000, 0, 13);
    /* invalid entry */
    *slot(root39, 3, base + 0x2000, 0) = pte_leaf((u64)p0, RW_AD & ~PTE_V);
    expect(12, S, PROBE_LD, base + 0x2000, 0, 13);
    expect(13, S, PROBE_SD, base + 0x2000, 0, 15);
    expect(14, S, PROBE_FETCH, base + 0x2000, 0, 12);
    /* W without R is reserved */
    map(root39, 3, base + 0x3000, (u64)p0, 0, PTE_V | PTE_W | PTE_A | PTE_D);
    expect(15, S, PROBE_LD, base + 0x3000, 0, 13);
    expect(16, S, PROBE_SD, base + 0x3000, 0, 15);
    /* read-only page: store and AMO fault with 15 */
    map(root39, 3, base + 0x4000, (u64)p0, 0, PTE_V | PTE_R | PTE_A | PTE_D);
    check(17, expect(17, S, PROBE_LD, base + 0x4000, 0, OKAY), 0x1111222233334444UL);
    expect(18, S, PROBE_SD, base + 0x4000, 0, 15);
    expect(19, S, PROBE_AMOADD, base + 0x4000, 1, 15);
    expect(20, S, PROBE_SB, base + 0x4007, 1, 15);
    /* fetch from a non-X page: cause 12, xepc = tval = the target */
    expect(21, S, PROBE_FETCH, base + 0x4000, 0, 12);
    check(22, hb_get(HB_EPC), base + 0x4000);
    /* X-only page: fetch works, load faults unless MXR */
    u64 *code = data[2];
    memcpy(code, probe_snippet, probe_snippet_end - probe_snippet);
    __asm__ volatile("fence.i" ::: "memory");
    map(root39, 3, base + 0x5000, (u64)code, 0, PTE_V | PTE_X | PTE_A | PTE_D);
    check(23, expect(23, S, PROBE_FETCH, base + 0x5000, 0, OKAY), 0x600d);
    expect(24, S, PROBE_LD, base + 0x5000, 0, 13);
    CSR_SET(mstatus, MSTATUS_MXR);
    check(25, expect(25, S, PROBE_LD, base + 0x5000, 0, OKAY), *(u64 *)code);
    expect(26, S, PROBE_SD, base + 0x5000, 0, 15); /* MXR does not grant W */
    CSR_CLEAR(mstatus, MSTATUS_MXR);

    /* U pages from S: loads and stores need SUM, fetch never allowed */
    map(root39, 3, base + 0x6000, (u64)p0, 0, RW_AD | PTE_U);
    map(root39, 3, base + 0x7000, (u64)code, 0, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A | PTE_D);
    expect(27, S, PROBE_LD, base + 0x6000, 0, 13);
    expect(28, S, PROBE_SD, base + 0x6000, 0, 15);
    expect(29, S, PROBE_FETCH, base + 0x7000, 0, 12);
    CSR_SET(mstatus, MSTATUS_SUM);
    check(30, expect(30, S, PROBE_LD, base + 0x6000, 0, OKAY), 0x1111222233334444UL);
    expect(31, S, PROBE_SD, base + 0x6010, 0x99, OKAY);
    check(32, p0[2], 0x99);
    expect(33, S, PROBE_FETCH, base + 0x7000, 0, 12);
    CSR_CLEAR(mstatus, MSTATUS_SUM);
    /* U-mode: U pages work, S pages fault */
    check(34, expect(34, U, PROBE_LD, base + 0x6000, 0, OKAY), 0x1111222233334444UL);
    expect(35, U, PROBE_SD, base + 0x6018, 0x42, OKAY);
    check(36, p0[3], 0x42);
    check(37, expect(37, U, PROBE_FETCH, base + 0x7000, 0, OKAY), 0x600d);
    expect(38, U, PROBE_LD, base, 0, 13);
    expect(39, U, PROBE_SD, base, 0, 15);
    expect(40, U, PROBE_FETCH, base + 0x5000, 0, 12);
    /* SUM does not matter for U-mode; MXR applies to U too */
    map(root39, 3, base + 0x8000, (u64)code, 0, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D);
    expect(41, U, PROBE_LD, base + 0x8000, 0, 13);
    CSR_SET(mstatus, MSTATUS_MXR);
    expect(42, U, PROBE_LD, base + 0x8000, 0, OKAY);
    CSR_CLEAR(mstatus, MSTATUS_MXR);

    /* non-canonical address in Sv39: bits 63..39 must equal bit 38 */
    expect(43, S, PROBE_LD, 0x0000008000000000UL, 0, 13);
    expect(44, S, PROBE_SD, 0xffff000000000000UL, 0, 15);

    /* A and D: either set by the hardware or a page fault (Svade), consistently */
    u64 *pa = slot(root39, 3, base + 0x9000, 0);
    *pa = pte_leaf((u64)p0, PTE_V | PTE_R | PTE_W);
    sfence();
    probe(S, PROBE_LD, base + 0x9000, 0);
    u64 load_fault = outcome() != OKAY;
    if (load_fault) {
        check(45, outcome(), 13);
        check(46, *pa & (PTE_A | PTE_D), 0); /* unchanged */
    } else {
        check(45, *pa & PTE_A, PTE_A);
        check(46, *pa & PTE_D, 0); /* a load does not set D */
    }
    *pa = pte_leaf((u64)p0, PTE_V | PTE_R | PTE_W | PTE_A);
    sfence();
    probe(S, PROBE_SD, base + 0x9000 + 32, 0x1234);
    u64 store_fault = outcome() != OKAY;
    check(47, store_fault, load_fault);
    if (store_fault) {
        check(48, outcome(), 15);
        check(49, *pa & PTE_D, 0);
    } else {
        check(48, *pa & PTE_D, PTE_D);
        check(49, p0[4], 0x1234);
    }
    /* a store to a page with neither A nor D */
    *pa = pte_leaf((u64)p0, PTE_V | PTE_R | PTE_W);
    sfence();
    probe(S, PROBE_SD, base + 0x9000 + 32, 0x5678);
    check(50, outcome() != OKAY, load_fault);
    if (!load_fault)
        check(51, *pa & (PTE_A | PTE_D), PTE_A | PTE_D);
    /* fetch sets A too */
    u64 *pf = slot(root39, 3, base + 0xa000, 0);
    *pf = pte_leaf((u64)code, PTE_V | PTE_X);
    sfence();
    probe(S, PROBE_FETCH, base + 0xa000, 0);
    check(52, outcome() != OKAY, load_fault);
    if (!load_fault)
        check(53, *pf & PTE_A, PTE_A);

    /* SFENCE.VMA: change a PTE, fence, see the new mapping */
    u64 *ps = slot(root39, 3, base + 0xb000, 0);
    *ps = pte_leaf((u64)p0, RW_AD);
    check(54, expect(54, S, PROBE_LD, base + 0xb000, 0, OKAY), 0x1111222233334444UL);
    *ps = pte_leaf((u64)p1, RW_AD);
    __asm__ volatile("fence rw, rw" ::: "memory");
    probe(S, PROBE_SFENCE | PROBE_NOFLUSH, base + 0xb000, 0); /* sfence.vma va in S */
    check(55, outcome(), OKAY);
    check(56, expect(56, S, PROBE_LD | PROBE_NOFLUSH, base + 0xb000, 0, OKAY), 0xaaaabbbbccccddddUL);
    *ps = 0;
    probe(S, PROBE_SFENCE | PROBE_NOFLUSH, base + 0xb000, 0);
    expect(57, S, PROBE_LD | PROBE_NOFLUSH, base + 0xb000, 0, 13);

    /* MPRV: M-mode loads and stores translated with the privilege in MPP */
    check(58, expect(58, MPRV_S, PROBE_LD, base, 0, OKAY), 0x1111222233334444UL);
    expect(59, MPRV_U, PROBE_LD, base, 0, 13);               /* S page, U access */
    check(60, expect(60, MPRV_U, PROBE_LD, base + 0x6000, 0, OKAY), 0x1111222233334444UL);
    expect(61, MPRV_S, PROBE_SD, base + 0x4000, 0, 15);
    /* ... but M-mode fetches are not translated */
    check(62, expect(62, MPRV_S, PROBE_FETCH, (u64)code, 0, OKAY), 0x600d);
    /* without MPRV, M-mode ignores satp */
    check(63, expect(63, M, PROBE_LD, (u64)p1, 0, OKAY), 0xaaaabbbbccccddddUL);

    /* LR from an unmapped page: load page fault */
    expect(64, S, PROBE_LR, base + 0xc000, 0, 13);
    /* an AMO faults as a store (15); QEMU 7.2 reports a load page fault on an
       invalid PTE, tolerated only there */
    probe(S, PROBE_AMOADD, base + 0xc000, 0);
    if (hb_get(HB_QEMU) && outcome() == 13)
        check(65, hb_get(HB_TVAL), base + 0xc000);
    else
        expect(65, S, PROBE_AMOADD, base + 0xc000, 0, 15);
}

static void test_sv48(void)
{
    u64 *p0 = data[0], *p1 = data[1];
    u64 hi = 0x0000008000000000UL; /* VPN3 = 1: only reachable in Sv48 */

    p0[0] = 0x4848484848484848UL;
    map(root48, 4, hi, (u64)p0, 0, RW_AD);
    map(root48, 4, hi + 0x200000, MEGA_PA, 1, RW_AD);
    map(root48, 4, hi + 0x40000000, 0x80000000UL, 2, RW_AD);
    /* a 512 GiB leaf at VPN3 = 2 -> PA 0 */
    *slot(root48, 4, 0x0000010000000000UL, 3) = pte_leaf(0, RW_AD);

    check(70, expect(70, S, PROBE_LD, hi, 0, OKAY), 0x4848484848484848UL);
    check(71, expect(71, S, PROBE_LD, hi + 0x200000 + 0x12340, 0, OKAY), 0x2020202020202020UL);
    check(72, expect(72, S, PROBE_LD, hi + 0x40000000 + ((u64)p1 - 0x80000000UL), 0, OKAY),
          0xaaaabbbbccccddddUL);
    check(73, expect(73, S, PROBE_LD, 0x0000010000000000UL + (u64)p1, 0, OKAY), 0xaaaabbbbccccddddUL);
    /* the Sv39 tables still serve VPN3 = 0 */
    check(74, expect(74, S, PROBE_LD, 0x40000000UL, 0, OKAY), 0x4848484848484848UL);
    /* misaligned 512 GiB and 1 GiB leaves */
    *slot(root48, 4, 0x0000018000000000UL, 3) = pte_leaf(0x80000000UL, RW_AD);
    expect(75, S, PROBE_LD, 0x0000018000000000UL, 0, 13);
    map(root48, 4, hi + 0x80000000UL, 0x80200000UL, 2, RW_AD);
    expect(76, S, PROBE_LD, hi + 0x80000000UL, 0, 13);
    /* non-canonical in Sv48: bits 63..48 must equal bit 47 */
    expect(77, S, PROBE_LD, 0x0001000000000000UL, 0, 13);
    expect(78, S, PROBE_FETCH, 0x0000900000000000UL, 0, 12);
    /* permissions behave the same */
    map(root48, 4, hi + 0x1000, (u64)p0, 0, PTE_V | PTE_R | PTE_A | PTE_D);
    expect(79, S, PROBE_SD, hi + 0x1000, 0, 15);
    expect(80, U, PROBE_LD, hi, 0, 13);
}

void test_main(void)
{
    root39 = new_table();
    /* program region: identity for S, alias with U=1 at +U_ALIAS_OFF */
    map(root39, 3, 0x80000000UL, 0x80000000UL, 2, RWX_AD | PTE_G);
    map(root39, 3, 0x80000000UL + U_ALIAS_OFF, 0x80000000UL, 2, RWX_AD | PTE_U);
    root48 = new_table();
    root48[0] = pte_table(root39); /* the Sv39 root doubles as an Sv48 level-2 table */

    /* ---- satp: bare / Sv39 / Sv48 write and read back; other modes ignored ---- */
    u64 ppn39 = (u64)root39 >> 12, ppn48 = (u64)root48 >> 12;
    CSR_WRITE(satp, 0);
    check(90, CSR_READ(satp), 0);
    CSR_WRITE(satp, SATP_SV39 | ppn39);
    check(91, CSR_READ(satp) & ~(0xffffUL << 44), SATP_SV39 | ppn39);
    CSR_WRITE(satp, SATP_SV48 | ppn48);
    check(92, CSR_READ(satp) & ~(0xffffUL << 44), SATP_SV48 | ppn48);
    CSR_WRITE(satp, (5UL << 60) | ppn39); /* reserved mode: no effect */
    check(93, CSR_READ(satp) & ~(0xffffUL << 44), SATP_SV48 | ppn48);
    CSR_WRITE(satp, (10UL << 60) | ppn39); /* Sv57: taken or ignored */
    u64 s57 = CSR_READ(satp) & ~(0xffffUL << 44);
    if (s57 != ((10UL << 60) | ppn39))
        check(94, s57, SATP_SV48 | ppn48);
    CSR_WRITE(satp, 0);
    check(95, CSR_READ(satp), 0);

    /* bare: S-mode addresses are physical */
    data[3][0] = 0xbeef;
    check(96, expect(96, S, PROBE_LD, (u64)data[3], 0, OKAY), 0xbeef);

    CSR_WRITE(satp, SATP_SV39 | ppn39);
    test_sv39();
    CSR_WRITE(satp, SATP_SV48 | ppn48);
    test_sv48();
    CSR_WRITE(satp, 0);
    sfence();
}
