/*
 * Hypervisor extension: address-translation caches tagged by address space.  Translations
 * cached for V=1 belong to a VMID (hgatp.VMID) and a guest ASID (vsatp.ASID), host ones to
 * satp.ASID; satp/vsatp/hgatp writes switch between them, and the fences drop only what their
 * operands name:
 *
 *   SFENCE.VMA rs1, rs2 (HS/M)   host translations of address rs1 / ASID rs2 (priv spec 4.2.1)
 *   HFENCE.VVMA rs1, rs2         VS-stage translations of the current hgatp.VMID, guest virtual
 *                                address rs1 / guest ASID rs2
 *   HFENCE.GVMA rs1, rs2         G-stage translations of guest physical address rs1 << 2 / VMID rs2
 *
 * (Hypervisor chapter, "Hypervisor Memory-Management Fence Instructions").  A stale entry staying
 * after a page-table change without a fence is allowed, not required ("the hardware may cache
 * translations"), so those checks run on rvisor only; QEMU 7.2 flushes its whole TLB on every
 * fence and on hgatp/vsatp changes.  What must hold everywhere is checked everywhere: after the
 * fence that names the entry the new translation is seen, a fence of a superpage address drops
 * the whole superpage, and two VMs (or two guest address spaces) that map the same guest page
 * to different host pages always read their own data, however often the hart switches.
 * All checks run in M-mode (medeleg = 0); probe() makes each access in the mode asked for.
 */
#define PT_POOL 40
#include "pt.h"

#define RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define RW_AD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define G_RWX (RWX_AD | PTE_U) /* G-stage leaves are user pages */
#define SATP_SV39 (8UL << 60)
#define HGATP_SV39X4 (8UL << 60)
#define OKAY 0xff

enum { VS = 0x11, HS = 1 };

static u64 data[8][512] __attribute__((aligned(4096)));
static u64 groot1[4 * 512] __attribute__((aligned(16384))); /* Sv39x4 roots: 16 KiB */
static u64 groot2[4 * 512] __attribute__((aligned(16384)));
static int on_qemu;

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

static u64 hgatp_of(u64 *root, u64 vmid) { return HGATP_SV39X4 | (vmid << 44) | ((u64)root >> 12); }
static u64 satp_of(u64 *root, u64 asid) { return SATP_SV39 | (asid << 44) | ((u64)root >> 12); }

#define H_INSN(text, ...) __asm__ volatile(".option push\n.option arch, +h\n" text "\n.option pop" \
                                           :: __VA_ARGS__ : "memory")
static void hfence_vvma_all(void) { H_INSN("hfence.vvma zero, zero", "i"(0)); }
static void hfence_vvma_asid(u64 asid) { H_INSN("hfence.vvma zero, %0", "r"(asid)); }
static void hfence_vvma_va(u64 va) { H_INSN("hfence.vvma %0, zero", "r"(va)); }
static void hfence_vvma_va_asid(u64 va, u64 asid) { H_INSN("hfence.vvma %0, %1", "r"(va), "r"(asid)); }
static void hfence_gvma_all(void) { H_INSN("hfence.gvma zero, zero", "i"(0)); }
static void hfence_gvma_vmid(u64 vmid) { H_INSN("hfence.gvma zero, %0", "r"(vmid)); }
static void hfence_gvma_gpa(u64 gpa) { H_INSN("hfence.gvma %0, zero", "r"(gpa >> 2)); }
static void sfence_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static void sfence_asid(u64 asid) { __asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory"); }
static void sfence_va(u64 va) { __asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory"); }

static u64 outcome(void)
{
    u64 c = hb_get(HB_CAUSE);
    return (c == 8 || c == 9 || c == 10 || c == 11) ? OKAY : c;
}

/* one load in mode without the probe's own fence: the value, check n that it did not trap */
static u64 ld_in(long n, u64 mode, u64 va)
{
    u64 v = probe(mode, PROBE_LD | PROBE_NOFLUSH, va, 0);
    check(n, outcome(), OKAY);
    return v;
}

/* the value must be `want` on every platform */
static void must(long n, u64 mode, u64 va, u64 want) { check(n, ld_in(n, mode, va), want); }

/* a stale value that rvisor keeps (the spec allows it; QEMU flushes more, so neither the value
   nor the absence of a fault is checked there) */
static void stale(long n, u64 mode, u64 va, u64 want)
{
    u64 v = probe(mode, PROBE_LD | PROBE_NOFLUSH, va, 0);
    if (!on_qemu) {
        check(n, outcome(), OKAY);
        check(n, v, want);
    }
}

/* VS-stage entries and HFENCE.VVMA's operands; HS fences and HFENCE.GVMA of another VMID keep them */
static void test_vvma(u64 *vroot)
{
    u64 *p2 = data[2], *p3 = data[3];
    u64 va = 0x40006000UL;
    u64 *leaf = slot(vroot, va, 0, 0);
    *leaf = pte_leaf((u64)p2, RW_AD);
    CSR_WRITE(vsatp, satp_of(vroot, 5));
    hfence_vvma_all();
    must(1, VS, va, 0x3333);
    *leaf = pte_leaf((u64)p3, RW_AD);
    stale(2, VS, va, 0x3333);
    hfence_vvma_asid(6); /* another guest ASID */
    stale(3, VS, va, 0x3333);
    hfence_vvma_va(va + 0x1000); /* another guest page */
    stale(4, VS, va, 0x3333);
    hfence_vvma_va_asid(va, 6); /* this page, another ASID */
    stale(5, VS, va, 0x3333);
    /* HS-level fences, even naming the same ASID number and address, order HS translations only */
    sfence_all();
    sfence_asid(5);
    sfence_va(va);
    stale(6, VS, va, 0x3333);
    hfence_gvma_vmid(2); /* another VMID */
    stale(7, VS, va, 0x3333);
    hfence_vvma_asid(5); /* its ASID */
    must(8, VS, va, 0x4444);

    *leaf = pte_leaf((u64)p2, RW_AD);
    stale(9, VS, va, 0x4444);
    hfence_vvma_va(va + 8); /* its page, any ASID */
    must(10, VS, va, 0x3333);
    *leaf = pte_leaf((u64)p3, RW_AD);
    stale(11, VS, va, 0x3333);
    hfence_vvma_va_asid(va, 5);
    must(12, VS, va, 0x4444);
    *leaf = pte_leaf((u64)p2, RW_AD);
    stale(13, VS, va, 0x4444);
    hfence_vvma_all();
    must(14, VS, va, 0x3333);

    /* a 2 MiB VS-stage superpage (GPA 0x80000000, the program): two of its 4 KiB pages read,
       then the leaf made invalid and fenced by the address of one of them: "the fence orders only
       reads and writes made to the leaf page table entry corresponding to the virtual address in
       rs1", and the other page is translated by that same leaf, so it faults too */
    u64 sva = 0x40200000UL;
    u64 *sleaf = slot(vroot, sva, 1, 0);
    *sleaf = pte_leaf(0x80000000UL, RW_AD);
    hfence_vvma_all();
    must(15, VS, sva + ((u64)p2 - 0x80000000UL), 0x3333);
    must(16, VS, sva + ((u64)p3 - 0x80000000UL), 0x4444);
    *sleaf = 0;
    hfence_vvma_va(sva + ((u64)p2 - 0x80000000UL));
    probe(VS, PROBE_LD | PROBE_NOFLUSH, sva + ((u64)p3 - 0x80000000UL), 0);
    check(17, outcome(), CAUSE_LOAD_PAGE);
}

/* G-stage entries and HFENCE.GVMA's operands */
static void test_gvma(u64 *vroot)
{
    u64 *p2 = data[2], *p3 = data[3];
    u64 gpa = 0x40007000UL;
    *slot(vroot, gpa, 0, 0) = pte_leaf(gpa, RW_AD); /* VS stage: identity for this page */
    u64 *gleaf = slot(groot1, gpa, 0, 1);
    *gleaf = pte_leaf((u64)p2, G_RWX);
    hfence_gvma_all();
    hfence_vvma_all();
    must(20, VS, gpa, 0x3333);
    *gleaf = pte_leaf((u64)p3, G_RWX);
    stale(21, VS, gpa, 0x3333);
    hfence_gvma_vmid(2); /* another VMID */
    stale(22, VS, gpa, 0x3333);
    sfence_all(); /* the HS level */
    stale(23, VS, gpa, 0x3333);
    hfence_gvma_vmid(1); /* its VMID */
    must(24, VS, gpa, 0x4444);
    *gleaf = pte_leaf((u64)p2, G_RWX);
    stale(25, VS, gpa, 0x4444);
    hfence_gvma_gpa(gpa); /* its guest physical address, every VMID */
    must(26, VS, gpa, 0x3333);
    *gleaf = pte_leaf((u64)p3, G_RWX);
    hfence_gvma_all();
    must(27, VS, gpa, 0x4444);
}

/* two VMs (VMID 1 and 2, own G-stage tables) map guest page 0x40008000 to different host
   pages: switching hgatp back and forth, each reads and writes its own page */
static void test_two_vms(u64 *vroot)
{
    u64 *p4 = data[4], *p5 = data[5], *p6 = data[6], *p7 = data[7];
    u64 gpa = 0x40008000UL;
    p4[0] = 0x1001;
    p5[0] = 0x2002;
    p6[0] = 0x6006;
    p7[0] = 0x7007;
    *slot(vroot, gpa, 0, 0) = pte_leaf(gpa, RW_AD);
    u64 *g1 = slot(groot1, gpa, 0, 1), *g2 = slot(groot2, gpa, 0, 1);
    *g1 = pte_leaf((u64)p4, G_RWX);
    *g2 = pte_leaf((u64)p5, G_RWX);
    u64 vm1 = hgatp_of(groot1, 1), vm2 = hgatp_of(groot2, 2);
    CSR_WRITE(hgatp, vm1);
    hfence_gvma_all();
    hfence_vvma_all();
    /* the same vsatp in both VMs (the tricky case: only hgatp differs), then Bare */
    for (int pass = 0; pass < 2; pass++) {
        CSR_WRITE(vsatp, pass == 0 ? satp_of(vroot, 5) : 0);
        for (int i = 0; i < 3; i++) {
            CSR_WRITE(hgatp, vm1);
            must(30 + 4 * pass, VS, gpa, 0x1001);
            CSR_WRITE(hgatp, vm2);
            must(31 + 4 * pass, VS, gpa, 0x2002);
        }
        /* a store in VM 2 lands in VM 2's page only */
        probe(VS, PROBE_SD | PROBE_NOFLUSH, gpa + 8, 0x2222 + pass);
        check(32 + 4 * pass, outcome(), OKAY);
        CSR_WRITE(hgatp, vm1);
        must(33 + 4 * pass, VS, gpa + 8, 0);
        check(33 + 4 * pass, p5[1], 0x2222 + pass);
    }
    /* VM 1's entries survive running VM 2: a change to VM 1's G stage without a fence is not
       seen after switching away and back (rvisor keeps the entry) until HFENCE.GVMA of VMID 1 */
    CSR_WRITE(vsatp, satp_of(vroot, 5));
    CSR_WRITE(hgatp, vm1);
    must(40, VS, gpa, 0x1001);
    *g1 = pte_leaf((u64)p6, G_RWX);
    CSR_WRITE(hgatp, vm2);
    must(41, VS, gpa, 0x2002);
    CSR_WRITE(hgatp, vm1);
    stale(42, VS, gpa, 0x1001);
    /* VM 2 changes too; fencing VMID 1 (while VM 2 is current) leaves VM 2's entry */
    *g2 = pte_leaf((u64)p7, G_RWX);
    CSR_WRITE(hgatp, vm2);
    hfence_gvma_vmid(1);
    stale(43, VS, gpa, 0x2002);
    CSR_WRITE(hgatp, vm1);
    must(44, VS, gpa, 0x6006);
    CSR_WRITE(hgatp, vm2);
    hfence_gvma_vmid(2);
    must(45, VS, gpa, 0x7007);
    /* HFENCE.VVMA applies to the current VMID only: VM 1's VS-stage entry stays */
    CSR_WRITE(hgatp, vm1);
    u64 *vleaf = slot(vroot, gpa + 0x1000, 0, 0);
    *vleaf = pte_leaf(gpa, RW_AD); /* guest page 0x40009000 -> GPA 0x40008000 */
    hfence_vvma_all();
    must(46, VS, gpa + 0x1000, 0x6006);
    *vleaf = 0;
    CSR_WRITE(hgatp, vm2);
    hfence_vvma_all(); /* VMID 2 */
    CSR_WRITE(hgatp, vm1);
    stale(47, VS, gpa + 0x1000, 0x6006);
    hfence_vvma_all(); /* VMID 1 */
    probe(VS, PROBE_LD | PROBE_NOFLUSH, gpa + 0x1000, 0);
    check(48, outcome(), CAUSE_LOAD_PAGE);
}

/* two guest address spaces (ASID 1 and 2) of one VM map one guest virtual page to different
   guest physical pages: switching vsatp back and forth, each reads its own */
static void test_guest_asids(void)
{
    u64 *p4 = data[4], *p5 = data[5];
    u64 va = 0x4000a000UL;
    u64 *va_root = new_table(), *vb_root = new_table();
    va_root[2] = pte_leaf(0x80000000UL, RWX_AD); /* the program, identity */
    vb_root[2] = pte_leaf(0x80000000UL, RWX_AD);
    *slot(va_root, va, 0, 0) = pte_leaf((u64)p4, RW_AD);
    *slot(vb_root, va, 0, 0) = pte_leaf((u64)p5, RW_AD);
    CSR_WRITE(hgatp, hgatp_of(groot1, 1));
    hfence_vvma_all();
    for (int i = 0; i < 3; i++) {
        CSR_WRITE(vsatp, satp_of(va_root, 1));
        must(50, VS, va, 0x1001);
        CSR_WRITE(vsatp, satp_of(vb_root, 2));
        must(51, VS, va, 0x2002);
    }
    /* a fence of ASID 2 leaves ASID 1's stale entry, a fence of ASID 1 drops it */
    u64 *la = slot(va_root, va, 0, 0);
    *la = pte_leaf((u64)data[2], RW_AD);
    hfence_vvma_asid(2);
    CSR_WRITE(vsatp, satp_of(va_root, 1));
    stale(52, VS, va, 0x1001);
    hfence_vvma_asid(1);
    must(53, VS, va, 0x3333);
    CSR_WRITE(vsatp, satp_of(vb_root, 2));
    must(54, VS, va, 0x2002);
}

/* HLV/HSV see the guest's cached translations: an HLV that filled an entry keeps reading
   through it after a G-stage change until a fence drops it, as the guest's own loads do.
   (The sequence of a public hypervisor test suite's "hfences correctly invalidate guest tlb
   entries" and "hs sfence does not affect guest level tlb entries" cases.) */
static void test_hlv_cached(u64 *vroot)
{
    u64 *p4 = data[4], *p5 = data[5];
    u64 va = 0x4000e000UL;
    p4[0] = 0x1001;
    p5[0] = 0x2002;
    *slot(vroot, va, 0, 0) = pte_leaf(va, RW_AD);
    u64 *g = slot(groot1, va, 0, 1);
    *g = pte_leaf((u64)p4, G_RWX);
    CSR_WRITE(vsatp, satp_of(vroot, 5));
    CSR_WRITE(hgatp, hgatp_of(groot1, 1));
    CSR_SET(hstatus, 1UL << 8); /* SPVP = 1: HLV as VS-mode */
    hfence_gvma_all();
    hfence_vvma_all();
    check(90, probe(3, PROBE_HLVD | PROBE_NOFLUSH, va, 0), 0x1001);
    *g = pte_leaf((u64)p5, G_RWX);
    u64 v = probe(3, PROBE_HLVD | PROBE_NOFLUSH, va, 0);
    if (!on_qemu)
        check(91, v, 0x1001);
    sfence_all(); /* HS level: guest entries stay */
    v = probe(3, PROBE_HLVD | PROBE_NOFLUSH, va, 0);
    if (!on_qemu)
        check(92, v, 0x1001);
    hfence_vvma_all(); /* drops the combined entry: the new G-stage mapping is walked */
    check(93, probe(3, PROBE_HLVD | PROBE_NOFLUSH, va, 0), 0x2002);
    *g = pte_leaf((u64)p4, G_RWX);
    v = probe(3, PROBE_HLVD | PROBE_NOFLUSH, va, 0);
    if (!on_qemu)
        check(94, v, 0x2002);
    /* a guest load in VS-mode shares the entry HLV filled (same mode, same key) */
    stale(95, VS, va, 0x2002);
    hfence_gvma_vmid(1);
    check(96, probe(3, PROBE_HLVD | PROBE_NOFLUSH, va, 0), 0x1001);
    /* HSV through the cached entry, then a VS load sees the value */
    probe(3, PROBE_HSVD | PROBE_NOFLUSH, va + 8, 0x5a5a);
    check(97, outcome(), OKAY);
    must(98, VS, va + 8, 0x5a5a);
    check(99, p4[1], 0x5a5a);
    CSR_CLEAR(hstatus, 1UL << 8);
}

/* host address spaces: satp ASIDs, SFENCE.VMA's operands, global mappings; guest fences keep
   host entries */
static void test_host(void)
{
    u64 *p2 = data[2], *p4 = data[4], *p5 = data[5], *p6 = data[6];
    u64 va = 0x4000c000UL, gva = 0x4000d000UL;
    u64 *ha = new_table(), *hb = new_table();
    ha[2] = pte_leaf(0x80000000UL, RWX_AD); /* the program, identity, for the probe in HS */
    hb[2] = pte_leaf(0x80000000UL, RWX_AD);
    u64 *la = slot(ha, va, 0, 0);
    *la = pte_leaf((u64)p4, RW_AD);
    *slot(hb, va, 0, 0) = pte_leaf((u64)p5, RW_AD);
    CSR_WRITE(satp, satp_of(ha, 1));
    sfence_all();
    for (int i = 0; i < 3; i++) {
        CSR_WRITE(satp, satp_of(ha, 1));
        must(60, HS, va, 0x1001);
        CSR_WRITE(satp, satp_of(hb, 2));
        must(61, HS, va, 0x2002);
    }
    *la = pte_leaf((u64)p6, RW_AD);
    CSR_WRITE(satp, satp_of(ha, 1));
    stale(62, HS, va, 0x1001);
    sfence_asid(2);
    stale(63, HS, va, 0x1001);
    sfence_va(va + 0x1000);
    stale(64, HS, va, 0x1001);
    hfence_vvma_all(); /* guest fences order guest translations only */
    hfence_gvma_all();
    stale(65, HS, va, 0x1001);
    sfence_asid(1);
    must(66, HS, va, 0x6006);
    *la = pte_leaf((u64)p4, RW_AD);
    stale(67, HS, va, 0x6006);
    sfence_va(va);
    must(68, HS, va, 0x1001);

    /* a global mapping: a fence naming an ASID does not order it ("Accesses to global mappings
       are not ordered"; rvisor keeps the entry), a fence of every ASID does; both address spaces
       map it, as the spec asks of global mappings */
    u64 *ga = slot(ha, gva, 0, 0), *gb = slot(hb, gva, 0, 0);
    *ga = pte_leaf((u64)p4, RW_AD | PTE_G);
    *gb = pte_leaf((u64)p4, RW_AD | PTE_G);
    sfence_all();
    must(70, HS, gva, 0x1001);
    CSR_WRITE(satp, satp_of(hb, 2));
    must(71, HS, gva, 0x1001);
    *ga = pte_leaf((u64)p2, RW_AD | PTE_G);
    *gb = pte_leaf((u64)p2, RW_AD | PTE_G);
    sfence_asid(2);
    stale(72, HS, gva, 0x1001);
    CSR_WRITE(satp, satp_of(ha, 1));
    sfence_asid(1);
    stale(73, HS, gva, 0x1001);
    sfence_va(gva);
    must(74, HS, gva, 0x3333);
    CSR_WRITE(satp, satp_of(hb, 2));
    must(75, HS, gva, 0x3333);
    CSR_WRITE(satp, 0);
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
    data[2][0] = 0x3333;
    data[3][0] = 0x4444;
    /* both VMs map the program's gigapage (guest physical = host physical) */
    *slot(groot1, 0x80000000UL, 2, 1) = pte_leaf(0x80000000UL, G_RWX);
    *slot(groot2, 0x80000000UL, 2, 1) = pte_leaf(0x80000000UL, G_RWX);
    CSR_WRITE(hgatp, hgatp_of(groot1, 1));
    hfence_gvma_all();
    u64 *vroot = new_table();
    vroot[2] = pte_leaf(0x80000000UL, RWX_AD);
    test_vvma(vroot);
    test_gvma(vroot);
    test_two_vms(vroot);
    test_guest_asids();
    test_hlv_cached(vroot);
    test_host();
    CSR_WRITE(vsatp, 0);
    CSR_WRITE(hgatp, 0);
}
