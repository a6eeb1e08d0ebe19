/*
 * Virtual memory corner cases of Sv39 checked from S-mode:
 *  - xtval of a misaligned load/store or a 32-bit fetch that crosses into a
 *    page that faults is the address of the part that faulted (priv spec,
 *    mtval/stval: "the virtual address of the portion of the access that
 *    caused the fault"), while xepc is the start of the instruction;
 *  - a non-leaf PTE with D, A or U set uses bits reserved for future
 *    standard use: the walk stops with a page fault (supervisor chapter,
 *    "Virtual Address Translation Process", step 3).
 * All checks run in M-mode and probe the access in S-mode.
 */
#include "pt.h"

#define LEAF_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define LEAF_RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define LEAF_RO (PTE_V | PTE_R | PTE_A | PTE_D)
#define LEAF_XO (PTE_V | PTE_X | PTE_A | PTE_D)

#define SV39 (8UL << 60)
#define S_MODE 1
#define NOFAULT 0xff

static u64 pages[8][512] __attribute__((aligned(4096)));

static u64 *root, *mid, *leaf, *mid2leaf;

static u64 last_cause(void)
{
    u64 c = hb_get(HB_CAUSE);
    return (c == 8 || c == 9 || c == 11) ? NOFAULT : c;
}

/* check n: the probe faults with cause and tval, or succeeds (cause = NOFAULT) */
static void fault_at(long n, u64 kind, u64 va, u64 cause, u64 tval)
{
    probe(S_MODE, kind, va, 0x0123456789abcdefUL);
    u64 got = last_cause();
    if (check(n, got, cause) && cause != NOFAULT)
        check(n, hb_get(HB_TVAL), tval);
}

void test_main(void)
{
    u64 base = 0x40000000UL; /* VPN2 = 1 */

    root = new_table();
    mid = new_table();
    leaf = new_table();
    /* the program: identity for S, plus a U alias probe() may use */
    root[2] = pte_leaf(0x80000000UL, LEAF_RWX | PTE_G);
    root[3] = pte_leaf(0x80000000UL, LEAF_RWX | PTE_U);
    root[1] = pte_table(mid);
    mid[0] = pte_table(leaf);
    /* base+0x0000 RW, +0x1000 unmapped, +0x2000 RW, +0x3000 read-only,
       +0x4000 execute-only, +0x5000 unmapped, +0x6000 RW */
    leaf[0] = pte_leaf((u64)pages[0], LEAF_RW);
    leaf[2] = pte_leaf((u64)pages[1], LEAF_RW);
    leaf[3] = pte_leaf((u64)pages[2], LEAF_RO);
    leaf[4] = pte_leaf((u64)pages[3], LEAF_XO);
    leaf[6] = pte_leaf((u64)pages[4], LEAF_RW);

    CSR_WRITE(satp, SV39 | ((u64)root >> 12));

    /* ---- misaligned data accesses that cross a page boundary ---- */
    /* load: the second page is unmapped -> tval is that page's first byte */
    fault_at(1, PROBE_LD, base + 0xffc, 13, base + 0x1000);
    fault_at(2, PROBE_LW, base + 0xffe, 13, base + 0x1000);
    /* store: the second page is unmapped / read-only */
    fault_at(3, PROBE_SD, base + 0xffa, 15, base + 0x1000);
    fault_at(4, PROBE_SD, base + 0x2ffd, 15, base + 0x3000);
    /* the first page faults: tval is the address of the access itself
       (QEMU 7.2 splits the access into aligned halves and reports the
       aligned address of the first one) */
    probe(S_MODE, PROBE_LD, base + 0x1ffc, 0);
    check(5, last_cause(), 13);
    if (!(hb_get(HB_QEMU) && hb_get(HB_TVAL) == base + 0x1ff8))
        check(6, hb_get(HB_TVAL), base + 0x1ffc);
    /* a crossing access between two good pages works */
    pages[0][511] = 0x1122334455667788UL;
    leaf[1] = pte_leaf((u64)pages[1], LEAF_RW); /* +0x1000 now maps pages[1] */
    pages[1][0] = 0x99aabbccddeeff00UL;
    u64 v = probe(S_MODE, PROBE_LD, base + 0xffc, 0);
    check(7, last_cause(), NOFAULT);
    check(8, v, 0xddeeff0011223344UL);
    leaf[1] = 0;

    /* ---- a 32-bit instruction whose second half is on an unmapped page ---- */
    /* at +0x4ffe: "li a4, 5" (addi a4, x0, 5 = 0x00500713) split over the pages */
    u32 insn = 0x00500713;
    ((unsigned short *)pages[3])[2047] = (unsigned short)(insn & 0xffff);
    __asm__ volatile("fence.i" ::: "memory");
    probe(S_MODE, PROBE_FETCH, base + 0x4ffe, 0);
    check(9, last_cause(), 12);
    check(10, hb_get(HB_EPC), base + 0x4ffe);
    check(11, hb_get(HB_TVAL), base + 0x5000);

    /* ---- non-leaf PTEs with D, A or U set are reserved encodings ---- */
    /* VPN2 = 4 (VA 0x100000000): root -> mid2 -> mid2leaf -> pages[4] */
    u64 *mid2 = new_table();
    mid2leaf = new_table();
    mid2leaf[0] = pte_leaf((u64)pages[4], LEAF_RW);
    pages[4][0] = 0x5a5a;
    u64 va2 = 0x100000000UL;
    root[4] = pte_table(mid2);
    mid2[0] = pte_table(mid2leaf);
    probe(S_MODE, PROBE_LD, va2, 0);
    check(12, last_cause(), NOFAULT); /* the well-formed walk works */
    static const u64 bits[3] = {PTE_A, PTE_D, PTE_U};
    for (int i = 0; i < 3; i++) {
        /* on the level-1 entry */
        mid2[0] = pte_table(mid2leaf) | bits[i];
        fault_at(13 + 2 * i, PROBE_LD, va2, 13, va2);
        mid2[0] = pte_table(mid2leaf);
        /* on the root entry */
        root[4] = pte_table(mid2) | bits[i];
        fault_at(14 + 2 * i, PROBE_LD, va2, 13, va2);
        root[4] = pte_table(mid2);
    }

    CSR_WRITE(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
}
