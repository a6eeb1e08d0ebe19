/*
 * Hypervisor extension: two-stage address translation (vsatp Bare/Sv39 then hgatp
 * Bare/Sv39x4), guest-page faults 20/21/23 with mtval = guest virtual address, mtval2 = guest
 * physical address >> 2, mstatus.GVA and the mtinst values (transformed instructions and the
 * pseudoinstructions of implicit VS-stage accesses), the U-bit rule of the G stage, the "high
 * bits must be zero" rule of Sv39x4, MXR/SUM as vsstatus and mstatus combine them, A/D updates
 * in both stages, HFENCE.VVMA/GVMA and SFENCE.VMA in VS, HLV/HLVX/HSV (SPVP, execute-only
 * pages) and MPRV with MPV.  All checks run in M-mode (medeleg = 0), probe() making each
 * access in the mode asked for.
 *
 * Spec: privileged ISA, chapter "Hypervisor Extension", sections "Two-Stage Address
 * Translation", "Guest-Page Faults", "Transformed Instruction or Pseudoinstruction",
 * "Hypervisor Virtual-Machine Load and Store Instructions", "Memory-Management Fences".
 * Where QEMU 7.2 (-cpu rv64,h=true) disagrees, the comment says so and the check accepts
 * QEMU's value only on QEMU.
 */
#define PT_POOL 24
#include "pt.h"

#define RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define RW_AD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define G_RWX (RWX_AD | PTE_U) /* G-stage leaves are user pages */
#define SATP_SV39 (8UL << 60)
#define HGATP_SV39X4 (8UL << 60)
#define MSTATUS_GVA_BIT (1UL << 38)
#define MSTATUS_MPV_BIT (1UL << 39)
#define OKAY 0xff
#define HSTATUS_SPVP_BIT (1UL << 8)
#define HSTATUS_HU_BIT (1UL << 9)

enum { VU = 0x10, VS = 0x11, HS = 1, U = 0, M = 3, MPRV_VS = 0x15, MPRV_VU = 0x14 };

/* probe's c.ld a4, 0(a2) and c.sd a3, 0(a2), transformed: "Expand the compressed instruction
   to its 32-bit equivalent. Transform the 32-bit equivalent instruction. Replace bit 1 with a 0" */
#define TINST_LD_A4 0x3701UL        /* rd, funct3, opcode */
#define TINST_SD_A3 0xd03021UL      /* rs2, funct3, opcode */
#define TINST_PTE_READ 0x3000UL
#define TINST_PTE_WRITE 0x3020UL

static u64 data[8][512] __attribute__((aligned(4096)));
static u64 groot[4 * 512] __attribute__((aligned(16384))); /* Sv39x4 root: 16 KiB */
static u64 *vroot;
static int on_qemu;

static u64 outcome(void)
{
    u64 c = hb_get(HB_CAUSE);
    return (c == 8 || c == 9 || c == 10 || c == 11) ? OKAY : c;
}

static u64 *slot(u64 *root, u64 addr, int level, int x4)
{
    u64 *t = root;
    for (int l = 2; l > level; l--) {
        u64 idx = (addr >> (12 + 9 * l)) & ((l == 2 && x4) ? 2047 : 511);
        u64 *e = &t[idx];
        if (!(*e & PTE_V))
            *e = pte_table(new_table());
        t = pte_to_table(*e);
    }
    return &t[(addr >> (12 + 9 * level)) & ((level == 2 && x4) ? 2047 : 511)];
}

static void gmap(u64 gpa, u64 pa, int level, u64 flags) { *slot(groot, gpa, level, 1) = pte_leaf(pa, flags); }
static void vmap(u64 va, u64 gpa, int level, u64 flags) { *slot(vroot, va, level, 0) = pte_leaf(gpa, flags); }
static void hfence_gvma(void) { __asm__ volatile(".word 0x62000073" ::: "memory"); } /* hfence.gvma */
static void hfence_vvma(void) { __asm__ volatile(".word 0x22000073" ::: "memory"); } /* hfence.vvma */

/* mtinst is the transformed instruction (or the pseudoinstruction).  "the value written to
   mtinst or htinst may always be zero" except where a pseudoinstruction is required, and
   QEMU 7.2 writes zero for explicit accesses, so zero is accepted on QEMU then. */
static void check_tinst(long n, u64 tinst)
{
    u64 got = hb_get(HB_TINST);
    if (on_qemu && got == 0 && tinst != TINST_PTE_READ && tinst != TINST_PTE_WRITE)
        return;
    check(n, got, tinst);
}

/* check n: the access faults with cause and mtval = va, or succeeds (OKAY) */
static u64 expect(long n, u64 mode, u64 kind, u64 va, u64 val, u64 cause)
{
    u64 v = probe(mode, kind, va, val);
    u64 got = outcome();
    check(n, got, cause);
    if (cause != OKAY && got == cause)
        check(n, hb_get(HB_TVAL), va);
    return v;
}

/* ... and for a guest-page fault: mtval2 = gpa >> 2, GVA = 1, MPV as the mode, mtinst */
static void expect_gpf(long n, u64 mode, u64 kind, u64 va, u64 cause, u64 gpa, u64 tinst)
{
    expect(n, mode, kind, va, 0, cause);
    check(n, hb_get(HB_TVAL2), gpa >> 2);
    check(n, hb_get(HB_STATUS) & MSTATUS_GVA_BIT, MSTATUS_GVA_BIT);
    check(n, hb_get(HB_STATUS) & MSTATUS_MPV_BIT, (mode & 0x10) && mode < 0x14 ? MSTATUS_MPV_BIT : 0);
    check_tinst(n, tinst);
}

static void test_gstage_only(void)
{
    u64 *p0 = data[0], *p1 = data[1];
    p0[0] = 0x1111;
    p1[0] = 0x2222;
    /* Bare/Bare: guest physical = host physical */
    CSR_WRITE(hgatp, 0);
    CSR_WRITE(vsatp, 0);
    check(1, expect(1, VS, PROBE_LD, (u64)p0, 0, OKAY), 0x1111);

    /* Sv39x4: GPA 0x80000000 (1 GiB) identity, GPA 0xc0000000 -> the same (the VU alias) */
    gmap(0x80000000UL, 0x80000000UL, 2, G_RWX);
    gmap(0xc0000000UL, 0x80000000UL, 2, G_RWX);
    CSR_WRITE(hgatp, HGATP_SV39X4 | ((u64)groot >> 12));
    hfence_gvma();
    check(2, expect(2, VS, PROBE_LD, (u64)p0, 0, OKAY), 0x1111);
    check(3, expect(3, VU, PROBE_LD, (u64)p0, 0, OKAY), 0x1111);

    /* nothing at GPA 0x40000000: guest-page faults of each access type */
    expect_gpf(4, VS, PROBE_LD, 0x40000010UL, 21, 0x40000010UL, TINST_LD_A4);
    expect_gpf(5, VS, PROBE_SD, 0x40000018UL, 23, 0x40000018UL, TINST_SD_A3);
    expect_gpf(6, VU, PROBE_FETCH, 0x40000020UL, 20, 0x40000020UL, 0);

    /* 4 KiB G-stage leaves at GPA 0x40000000: U clear, read-only, execute-only */
    gmap(0x40000000UL, (u64)p1, 0, RWX_AD);                     /* no U */
    gmap(0x40001000UL, (u64)p1, 0, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D);
    gmap(0x40002000UL, (u64)p1, 0, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D);
    hfence_gvma();
    expect_gpf(7, VS, PROBE_LD, 0x40000000UL, 21, 0x40000000UL, TINST_LD_A4);
    check(8, expect(8, VS, PROBE_LD, 0x40001000UL, 0, OKAY), 0x2222);
    expect_gpf(9, VS, PROBE_SD, 0x40001008UL, 23, 0x40001008UL, TINST_SD_A3);
    expect_gpf(10, VS, PROBE_LD, 0x40002000UL, 21, 0x40002000UL, TINST_LD_A4);
    /* vsstatus.MXR affects only the VS stage; the HS-level MXR both stages */
    /* "The vsstatus field MXR ... only overrides VS-stage page protection"; "Setting MXR at
       HS-level, however, overrides both VS-stage and G-stage execute-only permissions".
       QEMU 7.2 does the opposite at the G stage (vsstatus.MXR lets the load through,
       mstatus.MXR does not), so these two are not checked there. */
    if (!on_qemu) {
        CSR_SET(vsstatus, MSTATUS_MXR);
        expect(11, VS, PROBE_LD, 0x40002000UL, 0, 21);
        CSR_CLEAR(vsstatus, MSTATUS_MXR);
        CSR_SET(mstatus, MSTATUS_MXR);
        check(12, expect(12, VS, PROBE_LD, 0x40002000UL, 0, OKAY), 0x2222);
        CSR_CLEAR(mstatus, MSTATUS_MXR);
    }

    /* Sv39x4 takes 41-bit guest physical addresses: a 16 KiB root (index 1024 here) ... */
    /* (QEMU 7.2 treats bit 40 of the guest physical address as a sign bit and faults) */
    gmap(1UL << 40, 0x80000000UL, 2, G_RWX);
    hfence_gvma();
    if (!on_qemu)
        check(13, expect(13, VS, PROBE_LD, (1UL << 40) + ((u64)p0 - 0x80000000UL), 0, OKAY), 0x1111);
    /* ... and "Address bits 63:41 must all be zeros, or else a guest-page-fault exception" */
    expect_gpf(14, VS, PROBE_LD, (1UL << 41) + ((u64)p0 - 0x80000000UL), 21,
               (1UL << 41) + ((u64)p0 - 0x80000000UL), TINST_LD_A4);

    /* G-stage A and D bits are set by the hardware */
    u64 *leaf = slot(groot, 0x40003000UL, 0, 1);
    *leaf = pte_leaf((u64)p1, PTE_V | PTE_R | PTE_W | PTE_U);
    hfence_gvma();
    check(15, expect(15, VS, PROBE_LD, 0x40003000UL, 0, OKAY), 0x2222);
    check(16, *leaf & (PTE_A | PTE_D), PTE_A);
    expect(17, VS, PROBE_SD, 0x40003008UL, 0x33, OKAY);
    check(18, *leaf & (PTE_A | PTE_D), PTE_A | PTE_D);
    check(19, p1[1], 0x33);

    /* a misaligned load crossing into an unmapped guest page: the fault is at the boundary,
       mtval2 is that part's GPA and the transformed instruction's rs1 field holds the offset
       (rvisor performs misaligned accesses, so only the second page faults) */
    gmap(0x40004000UL, (u64)p1, 0, G_RWX);
    hfence_gvma();
    if (!on_qemu) { /* QEMU 7.2 raises a load-misaligned exception instead */
        probe(VS, PROBE_LD, 0x40004ffcUL, 0);
        check(20, outcome(), 21);
        check(21, hb_get(HB_TVAL), 0x40005000UL);
        check(22, hb_get(HB_TVAL2), 0x40005000UL >> 2);
        check(23, hb_get(HB_TINST), TINST_LD_A4 | (4UL << 15));
    }
}

static void test_two_stage(void)
{
    u64 *p0 = data[0], *p2 = data[2], *p3 = data[3];
    p2[0] = 0x3333;
    p3[0] = 0x4444;
    vroot = new_table();
    /* VS stage: identity gigapage for the program (S), its U alias, test pages at 0x40000000 */
    vmap(0x80000000UL, 0x80000000UL, 2, RWX_AD);
    vmap(0xc0000000UL, 0x80000000UL, 2, RWX_AD | PTE_U);
    vmap(0x40000000UL, (u64)p2, 0, RW_AD);
    CSR_WRITE(vsatp, SATP_SV39 | ((u64)vroot >> 12));
    hfence_vvma();
    check(30, expect(30, VS, PROBE_LD, 0x40000000UL, 0, OKAY), 0x3333);
    /* VS-stage faults are ordinary page faults with GVA = 1 and mtval2 = 0 */
    expect(31, VS, PROBE_LD, 0x40010000UL, 0, 13);
    check(31, hb_get(HB_STATUS) & MSTATUS_GVA_BIT, MSTATUS_GVA_BIT);
    check(31, hb_get(HB_TVAL2), 0);
    expect(32, VU, PROBE_LD, 0x40000000UL, 0, 13);            /* no U bit */
    vmap(0x40001000UL, (u64)p2, 0, RW_AD | PTE_U);
    hfence_vvma();
    check(33, expect(33, VU, PROBE_LD, 0x40001000UL, 0, OKAY), 0x3333);
    expect(34, VS, PROBE_LD, 0x40001000UL, 0, 13);            /* U page, vsstatus.SUM = 0 */
    CSR_SET(mstatus, MSTATUS_SUM);                            /* the HS-level SUM is not used */
    expect(35, VS, PROBE_LD, 0x40001000UL, 0, 13);
    CSR_CLEAR(mstatus, MSTATUS_SUM);
    CSR_SET(vsstatus, MSTATUS_SUM);
    check(36, expect(36, VS, PROBE_LD, 0x40001000UL, 0, OKAY), 0x3333);
    CSR_CLEAR(vsstatus, MSTATUS_SUM);
    /* execute-only VS page: vsstatus.MXR or the HS-level MXR make it readable */
    vmap(0x40002000UL, (u64)p2, 0, PTE_V | PTE_X | PTE_A | PTE_D);
    hfence_vvma();
    expect(37, VS, PROBE_LD, 0x40002000UL, 0, 13);
    CSR_SET(vsstatus, MSTATUS_MXR);
    check(38, expect(38, VS, PROBE_LD, 0x40002000UL, 0, OKAY), 0x3333);
    CSR_CLEAR(vsstatus, MSTATUS_MXR);
    /* (QEMU 7.2 ignores the HS-level MXR for the VS stage) */
    CSR_SET(mstatus, MSTATUS_MXR);
    if (!on_qemu)
        check(39, expect(39, VS, PROBE_LD, 0x40002000UL, 0, OKAY), 0x3333);
    CSR_CLEAR(mstatus, MSTATUS_MXR);
    /* VS-stage A/D updates */
    u64 *vleaf = slot(vroot, 0x40003000UL, 0, 0);
    *vleaf = pte_leaf((u64)p2, PTE_V | PTE_R | PTE_W);
    hfence_vvma();
    check(40, expect(40, VS, PROBE_LD, 0x40003000UL, 0, OKAY), 0x3333);
    check(41, *vleaf & (PTE_A | PTE_D), PTE_A);
    expect(42, VS, PROBE_SD, 0x40003008UL, 0x55, OKAY);
    check(43, *vleaf & (PTE_A | PTE_D), PTE_A | PTE_D);

    /* the VS walk's own accesses go through the G stage: a VS table at an unmapped guest
       physical address is a guest-page fault of the original access type, mtval2 = the PTE's
       GPA >> 2, mtinst = the "64-bit read for VS-stage address translation" pseudoinstruction */
    u64 hole = 0x40100000UL; /* no G-stage mapping */
    *slot(vroot, 0x40200000UL, 1, 0) = pte_table((u64 *)hole);
    hfence_vvma();
    u64 pte_gpa = hole + ((0x40200000UL >> 12) & 511) * 8;
    expect_gpf(44, VS, PROBE_LD, 0x40200000UL, 21, pte_gpa, TINST_PTE_READ);
    /* "any exception is always reported for the original access type": a store (QEMU 7.2
       reports a load guest-page fault) */
    if (!on_qemu)
        expect_gpf(45, VS, PROBE_SD, 0x40200008UL, 23, pte_gpa /* same PTE */, TINST_PTE_READ);
    /* an A/D update to a VS PTE in a guest page the G stage maps read-only: the write
       pseudoinstruction, reported as a fault of the original (load) access */
    u64 *ptab = new_table();
    gmap(0x40400000UL, (u64)ptab, 0, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D);
    *slot(vroot, 0x40600000UL, 1, 0) = pte_table((u64 *)0x40400000UL);
    ptab[0] = pte_leaf((u64)p3, PTE_V | PTE_R | PTE_W); /* A clear: the walk must write it */
    hfence_gvma();
    hfence_vvma();
    /* (QEMU 7.2 updates the A bit without the G-stage write permission) */
    if (!on_qemu) {
        expect(46, VS, PROBE_LD, 0x40600000UL, 0, 21);
        check(47, hb_get(HB_TVAL2), 0x40400000UL >> 2);
        check(48, hb_get(HB_TINST), TINST_PTE_WRITE);
    }
    ptab[0] = pte_leaf((u64)p3, RW_AD);
    hfence_vvma();
    check(49, expect(49, VS, PROBE_LD, 0x40600000UL, 0, OKAY), 0x4444);
    /* a G-stage fault on the final guest physical address: mtval2 = that GPA >> 2 */
    vmap(0x40005000UL, 0x40123000UL, 0, RW_AD);
    hfence_vvma();
    expect_gpf(50, VS, PROBE_LD, 0x40005010UL, 21, 0x40123010UL, TINST_LD_A4);
    (void)p0;
}

static void test_fences(void)
{
    u64 *p2 = data[2], *p3 = data[3];
    vmap(0x40006000UL, (u64)p2, 0, RW_AD);
    hfence_vvma();
    check(60, expect(60, VS, PROBE_LD | PROBE_NOFLUSH, 0x40006000UL, 0, OKAY), 0x3333);
    vmap(0x40006000UL, (u64)p3, 0, RW_AD);
    /* without a fence the old translation may stay: rvisor keeps it (the spec allows either;
       QEMU 7.2 flushes more, so its value is not checked) */
    u64 v = expect(61, VS, PROBE_LD | PROBE_NOFLUSH, 0x40006000UL, 0, OKAY);
    if (!on_qemu)
        check(61, v, 0x3333);
    /* an HS-level SFENCE.VMA (here from M, V=0) orders only HS-level translations */
    __asm__ volatile("sfence.vma" ::: "memory");
    v = expect(62, VS, PROBE_LD | PROBE_NOFLUSH, 0x40006000UL, 0, OKAY);
    if (!on_qemu)
        check(62, v, 0x3333);
    hfence_vvma();
    check(63, expect(63, VS, PROBE_LD | PROBE_NOFLUSH, 0x40006000UL, 0, OKAY), 0x4444);
    /* SFENCE.VMA in VS-mode fences that guest's VS-stage translations */
    vmap(0x40006000UL, (u64)p2, 0, RW_AD);
    expect(64, VS, PROBE_SFENCE | PROBE_NOFLUSH, 0x40006000UL, 0, OKAY);
    check(65, expect(65, VS, PROBE_LD | PROBE_NOFLUSH, 0x40006000UL, 0, OKAY), 0x3333);
    /* HFENCE.GVMA for G-stage changes */
    gmap(0x40007000UL, (u64)p2, 0, G_RWX);
    vmap(0x40007000UL, 0x40007000UL, 0, RW_AD);
    hfence_gvma();
    hfence_vvma();
    check(66, expect(66, VS, PROBE_LD | PROBE_NOFLUSH, 0x40007000UL, 0, OKAY), 0x3333);
    gmap(0x40007000UL, (u64)p3, 0, G_RWX);
    v = expect(67, VS, PROBE_LD | PROBE_NOFLUSH, 0x40007000UL, 0, OKAY);
    if (!on_qemu)
        check(67, v, 0x3333);
    hfence_gvma();
    check(68, expect(68, VS, PROBE_LD | PROBE_NOFLUSH, 0x40007000UL, 0, OKAY), 0x4444);
}

static void test_hlv(void)
{
    u64 *p2 = data[2], *p4 = data[4];
    p4[0] = 0x8877665544332211UL;
    vmap(0x40008000UL, (u64)p4, 0, RW_AD);                       /* VS page */
    vmap(0x40009000UL, (u64)p4, 0, RW_AD | PTE_U);               /* VU page */
    vmap(0x4000a000UL, (u64)p4, 0, PTE_V | PTE_X | PTE_A | PTE_D); /* execute-only */
    vmap(0x4000b000UL, (u64)p4, 0, PTE_V | PTE_R | PTE_A | PTE_D); /* read-only, no X */
    hfence_vvma();
    CSR_SET(hstatus, HSTATUS_SPVP_BIT);
    /* SPVP = 1: accesses as VS; from M (MPRV off), two-stage translation applies */
    check(70, expect(70, M, PROBE_HLVD, 0x40008000UL, 0, OKAY), 0x8877665544332211UL);
    expect(71, M, PROBE_HSVD, 0x40008008UL, 0x99, OKAY);
    check(72, p4[1], 0x99);
    check(73, expect(73, M, PROBE_HLVW, 0x40008000UL, 0, OKAY), 0x44332211UL);
    /* QEMU 7.2 gets the permissions of HLV/HLVX wrong: it lets SPVP = 1 reach a U page with
       vsstatus.SUM = 0, raises load access faults (5) for HLVX of execute-only pages and for
       SPVP = 0 on a supervisor page, and lets HLVX read a page without X; checked on rvisor */
    if (!on_qemu) {
        expect(74, M, PROBE_HLVD, 0x40009000UL, 0, 13);         /* U page from VS, SUM = 0 */
        check(74, hb_get(HB_STATUS) & (MSTATUS_GVA_BIT | MSTATUS_MPV_BIT), MSTATUS_GVA_BIT);
        /* HLVX: execute permission instead of read */
        check(75, expect(75, M, PROBE_HLVXWU, 0x4000a000UL, 0, OKAY), 0x44332211UL);
        expect(76, M, PROBE_HLVW, 0x4000a000UL, 0, 13);
        expect(77, M, PROBE_HLVXWU, 0x4000b000UL, 0, 13);
    }
    /* SPVP = 0: accesses as VU */
    CSR_CLEAR(hstatus, HSTATUS_SPVP_BIT);
    if (!on_qemu)
        expect(78, M, PROBE_HLVD, 0x40008000UL, 0, 13);
    check(79, expect(79, M, PROBE_HLVD, 0x40009000UL, 0, OKAY), 0x8877665544332211UL);
    /* from HS, and from U with hstatus.HU (U runs the probe through an HS-level Sv39 alias) */
    check(80, expect(80, HS, PROBE_HLVD, 0x40009000UL, 0, OKAY), 0x8877665544332211UL);
    u64 *hroot = new_table();
    hroot[2] = pte_leaf(0x80000000UL, RWX_AD);
    hroot[3] = pte_leaf(0x80000000UL, RWX_AD | PTE_U);
    CSR_WRITE(satp, SATP_SV39 | ((u64)hroot >> 12));
    CSR_SET(hstatus, HSTATUS_HU_BIT);
    check(81, expect(81, U, PROBE_HLVD, 0x40009000UL, 0, OKAY), 0x8877665544332211UL);
    CSR_CLEAR(hstatus, HSTATUS_HU_BIT);
    probe(U, PROBE_HLVD, 0x40009000UL, 0);
    check(82, outcome(), 2);
    CSR_WRITE(satp, 0);
    /* a G-stage fault of an HLV: guest-page fault, mtval2, GVA = 1 with MPV = 0, and the
       transformed HLV (rs1 field = 0) */
    vmap(0x4000c000UL, 0x40234000UL, 0, RW_AD | PTE_U);
    hfence_vvma();
    expect(83, M, PROBE_HLVD, 0x4000c008UL, 0, 21);
    check(84, hb_get(HB_TVAL2), 0x40234008UL >> 2);
    check(85, hb_get(HB_STATUS) & (MSTATUS_GVA_BIT | MSTATUS_MPV_BIT), MSTATUS_GVA_BIT);
    check_tinst(86, 0x6c004773UL); /* hlv.d a4, (a2) with rs1 = 0 */
    /* MPRV with MPV: loads and stores as VS (MPP = S) or VU (MPP = U) */
    check(87, expect(87, MPRV_VS, PROBE_LD, 0x40008000UL, 0, OKAY), 0x8877665544332211UL);
    /* (QEMU 7.2 reports a load access fault here) */
    if (!on_qemu) {
        expect(88, MPRV_VU, PROBE_LD, 0x40008000UL, 0, 13);
        check(88, hb_get(HB_STATUS) & MSTATUS_GVA_BIT, MSTATUS_GVA_BIT);
    }
    check(89, expect(89, MPRV_VU, PROBE_LD, 0x40009000UL, 0, OKAY), 0x8877665544332211UL);
    (void)p2;
}

void test_main(void)
{
    u64 t;
    __asm__ volatile("mv %0, tp" : "=r"(t));
    ((u64 *)t)[HB_HEXT / 8] = 1;
    on_qemu = hb_get(HB_QEMU) != 0;
    CSR_WRITE(medeleg, 0);
    CSR_WRITE(hedeleg, 0);
    CSR_WRITE(hstatus, 0);
    CSR_WRITE(vsstatus, MSTATUS_FS_INIT);
    test_gstage_only();
    test_two_stage();
    test_fences();
    test_hlv();
    CSR_WRITE(vsatp, 0);
    CSR_WRITE(hgatp, 0);
}
