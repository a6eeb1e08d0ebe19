/*
 * M-mode traps in the "p" environment: ebreak / c.ebreak, illegal instructions
 * (32- and 16-bit, mtval = the instruction bits or 0), ecall from M/S/U, WFI
 * with and without TW, instruction/load/store access faults on unmapped
 * physical addresses (mtval = the address), misaligned accesses performed,
 * counters and minstret/mcycle writes, mstatus.FS/SD tracking, reserved frm.
 *
 * The program installs the handler `th` of mtrap.h (s8 = resume address,
 * 0: hand the trap to the environment's trap vector); it records mcause in
 * s9, mepc in s10, mtval in s11, mstatus in s7 and resumes at s8 in M-mode.
 */
#define TEST_PRIV 3
#include "env.h"
#include "macros.h"
#include "mtrap.h"

RVTEST_CODE_BEGIN
    la t0, th
    csrw mtvec, t0

    /* ebreak */
    ARM(2f)
    li TESTNUM, 2
1:  ebreak
    j tfail
2:  MCHECK_TRAP(2, CAUSE_BREAKPOINT)
    la t0, 1b
    li TESTNUM, 3
    bne s10, t0, tfail
    beqz s11, 3f
    bne s11, t0, tfail
3:
    /* c.ebreak */
    ARM(2f)
    li TESTNUM, 4
    .option push
    .option rvc
1:  c.ebreak
    .option pop
    j tfail
2:  MCHECK_TRAP(4, CAUSE_BREAKPOINT)
    la t0, 1b
    li TESTNUM, 5
    bne s10, t0, tfail
    beqz s11, 3f
    bne s11, t0, tfail
3:
    /* illegal 32-bit: custom-0 opcode and a write to a read-only CSR */
    ARM(2f)
    li TESTNUM, 6
1:  .word 0x1234500b
    j tfail
2:  MCHECK_TRAP(6, CAUSE_ILLEGAL)
    la t0, 1b
    li TESTNUM, 7
    bne s10, t0, tfail
    MCHECK_TVAL0(8, 0x1234500b)
    ARM(2f)
    li TESTNUM, 9
1:  csrw mvendorid, a0
    j tfail
2:  MCHECK_TRAP(9, CAUSE_ILLEGAL)
    MCHECK_TVAL0(10, 0xf1151073)
    /* illegal 16-bit: reserved c.lui (imm 0), reserved c.addi4spn (imm 0), all zeros */
    ARM(2f)
    li TESTNUM, 11
1:  .half 0x6081
    .half 0x0001
    j tfail
2:  MCHECK_TRAP(11, CAUSE_ILLEGAL)
    la t0, 1b
    li TESTNUM, 12
    bne s10, t0, tfail
    MCHECK_TVAL0(13, 0x6081)
    ARM(2f)
    li TESTNUM, 14
1:  .half 0x0010
    .half 0x0001
    j tfail
2:  MCHECK_TRAP(14, CAUSE_ILLEGAL)
    MCHECK_TVAL0(15, 0x0010)
    ARM(2f)
    li TESTNUM, 16
1:  .half 0x0000
    .half 0x0001
    j tfail
2:  MCHECK_TRAP(16, CAUSE_ILLEGAL)
    MCHECK_TVAL0(17, 0)
    /* FP with FS = Off: illegal, mtval = bits; fcsr too */
    li t0, MSTATUS_FS
    csrc mstatus, t0
    ARM(2f)
    li TESTNUM, 18
1:  fadd.d f1, f2, f3
    j tfail
2:  MCHECK_TRAP(18, CAUSE_ILLEGAL)
    MCHECK_TVAL0(19, 0x023100d3 | (7 << 12))
    ARM(2f)
    li TESTNUM, 20
1:  csrr a0, fcsr
    j tfail
2:  MCHECK_TRAP(20, CAUSE_ILLEGAL)
    /* FS tracking: Initial -> Dirty on an FP register write, SD follows */
    li t0, MSTATUS_FS_INIT
    csrs mstatus, t0
    CHECK(21, a0, MSTATUS_FS_INIT, csrr a0, mstatus; li t0, MSTATUS_FS; and a0, a0, t0)
    CHECK(22, a0, 0, csrr a0, mstatus; srli a0, a0, 63)
    CHECK(23, a0, MSTATUS_FS, fmv.d.x f1, zero; csrr a0, mstatus; li t0, MSTATUS_FS; and a0, a0, t0)
    CHECK(24, a0, 1, csrr a0, mstatus; srli a0, a0, 63)
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_CLEAN
    csrs mstatus, t0
    CHECK(25, a0, MSTATUS_FS, fsflagsi 1; csrr a0, mstatus; li t0, MSTATUS_FS; and a0, a0, t0)
    csrwi fflags, 0
    /* reserved rounding mode: dynamic with frm = 5, and static rm = 5 */
    li t0, 5
    fsrm t0
    ARM(2f)
    li TESTNUM, 26
1:  fadd.s f1, f2, f3
    j tfail
2:  MCHECK_TRAP(26, CAUSE_ILLEGAL)
    fsrm zero
    ARM(2f)
    li TESTNUM, 27
1:  .word 0x0031d0d3
    j tfail
2:  MCHECK_TRAP(27, CAUSE_ILLEGAL)
    MCHECK_TVAL0(28, 0x0031d0d3)

    /* ecall from M, S, U: cause, mepc, mtval = 0, MPP */
    ARM(2f)
    li TESTNUM, 30
1:  ecall
    j tfail
2:  MCHECK_TRAP(30, CAUSE_MACHINE_ECALL)
    la t0, 1b
    li TESTNUM, 31
    bne s10, t0, tfail
    bnez s11, tfail
    ARM(2f)
    li TESTNUM, 32
    GO_LOWER(MSTATUS_MPP_S)
3:  ecall
    j tfail
2:  MCHECK_TRAP(32, CAUSE_SUPERVISOR_ECALL)
    la t0, 3b
    li TESTNUM, 33
    bne s10, t0, tfail
    CHECK(34, a0, MSTATUS_MPP_S, li t0, MSTATUS_MPP; and a0, s7, t0)
    ARM(2f)
    li TESTNUM, 35
    GO_LOWER(0)
3:  ecall
    j tfail
2:  MCHECK_TRAP(35, CAUSE_USER_ECALL)
    CHECK(36, a0, 0, li t0, MSTATUS_MPP; and a0, s7, t0)
    la t0, 3b
    li TESTNUM, 37
    bne s10, t0, tfail

    /* WFI: an enabled pending interrupt (SSIP in mip and mie, MIE = 0) lets it complete */
    li t0, MIP_SSIP
    csrs mie, t0
    csrs mip, t0
    ARM(tfail)
    li TESTNUM, 40
    wfi
    /* M with TW = 1: not affected */
    li t0, MSTATUS_TW
    csrs mstatus, t0
    li TESTNUM, 41
    wfi
    csrc mstatus, t0
    /* S with TW = 0 and SSIP delegated, pending, enabled in sie, SIE = 0: completes */
    li t0, MIP_SSIP
    csrs mideleg, t0
    ARM(2f)
    li TESTNUM, 42
    GO_LOWER(MSTATUS_MPP_S)
    wfi
    ecall
    j tfail
2:  MCHECK_TRAP(42, CAUSE_SUPERVISOR_ECALL)
    li t0, MIP_SSIP
    csrc mip, t0
    csrc mie, t0
    csrc mideleg, t0
    /* nothing pending from here: a WFI that waits is ended by the CLINT timer (cause 0x8000000000000007) */
    /* U with TW = 0 (S-mode present): illegal instruction within a bounded time */
    call arm_watchdog
    ARM(2f)
    li TESTNUM, 43
    GO_LOWER(0)
3:  wfi
    j tfail
2:  call disarm_watchdog
    MCHECK_TRAP(43, CAUSE_ILLEGAL)
    la t0, 3b
    li TESTNUM, 44
    bne s10, t0, tfail
    MCHECK_TVAL0(45, 0x10500073)
    /* S with TW = 1: illegal instruction */
    li t0, MSTATUS_TW
    csrs mstatus, t0
    call arm_watchdog
    ARM(2f)
    li TESTNUM, 46
    GO_LOWER(MSTATUS_MPP_S)
3:  wfi
    j tfail
2:  call disarm_watchdog
    MCHECK_TRAP(46, CAUSE_ILLEGAL)
    la t0, 3b
    li TESTNUM, 47
    bne s10, t0, tfail
    MCHECK_TVAL0(48, 0x10500073)
    li t0, MSTATUS_TW
    csrc mstatus, t0

    /* access faults: fetch, load, store at unmapped physical addresses */
    ARM(2f)
    li TESTNUM, 50
    li t1, 0x40000000
    jalr t1
    j tfail
2:  MCHECK_TRAP(50, CAUSE_FETCH_ACCESS)
    li TESTNUM, 51
    li t1, 0x40000000
    bne s10, t1, tfail
    bne s11, t1, tfail
    ARM(2f)
    li TESTNUM, 54
    li t1, 0x40000008
    ld a0, 0(t1)
    j tfail
2:  MCHECK_TRAP(54, CAUSE_LOAD_ACCESS)
    li TESTNUM, 55
    li t1, 0x40000008
    bne s11, t1, tfail
    ARM(2f)
    li TESTNUM, 56
    li t1, 0x40000010
    sw a0, 0(t1)
    j tfail
2:  MCHECK_TRAP(56, CAUSE_STORE_ACCESS)
    li TESTNUM, 57
    li t1, 0x40000010
    bne s11, t1, tfail
    /* a jump to a 2-byte aligned target is fine with C */
    li TESTNUM, 58
    la t1, 7f
    li a0, 0
    jr t1
    .option push
    .option rvc
    .align 2
    c.nop
7:  c.li a0, 7
    .option pop
    li t6, 7
    bne a0, t6, tfail

    /* misaligned accesses performed in M */
    ARM(tfail)
    la s0, mdata
    CHECK(60, a0, 0x0807060504030201, ld a0, 1(s0))
    CHECK(61, a0, 0x1122334455667788, li t0, 0x1122334455667788; sd t0, 13(s0); ld a0, 13(s0))

    /* counters */
    li TESTNUM, 62
    csrr a0, mcycle
    csrr a1, minstret
    rdtime a2
    li t0, 100
1:  addi t0, t0, -1
    bnez t0, 1b
    csrr a3, mcycle
    csrr a4, minstret
    rdtime a5
    bgeu a0, a3, tfail
    bgeu a1, a4, tfail
    bltu a5, a2, tfail
    rdcycle a3
    rdinstret a4
    bltu a3, a0, tfail
    bltu a4, a1, tfail
    /* a write to minstret takes effect after the writing instruction: the next read sees the value */
    li t1, 1000
    csrw minstret, t1
    csrr a0, minstret
    li TESTNUM, 63
    bne a0, t1, tfail
    csrw minstret, t1
    nop
    csrr a0, minstret
    li TESTNUM, 64
    addi t1, t1, 1
    bne a0, t1, tfail
    li t1, -1
    csrw minstret, t1
    csrr a0, minstret
    csrr a1, minstret
    li TESTNUM, 65
    bne a0, t1, tfail
    bnez a1, tfail
    CHECK(66, a0, 1, csrw mcycle, zero; csrr a0, mcycle; sltiu a0, a0, 100)
    /* misa: RV64 with I M A F D C S U */
    CHECK(67, a0, 2, csrr a0, misa; srli a0, a0, 62)
    CHECK(68, a0, 0x14112d, csrr a0, misa; li t0, 0x3ffffff; and a0, a0, t0; li t0, 0x14112d; and a0, a0, t0)
    /* mepc: bit 0 reads 0 */
    CHECK(69, a0, 0x80000002, li t0, 0x80000003; csrw mepc, t0; csrr a0, mepc)

    mtrap_end
