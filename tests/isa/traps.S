/* Synchronous exceptions: causes, xepc, xtval, delegation, xRET, TW/TSR/TVM. */
#include "test.h"

#define UNMAPPED_LOW   0x0
#define UNMAPPED_HIGH  0x90000000      /* beyond the 128 MiB of DRAM */

/* reg is a or b */
.macro CHECK_ONEOF n, reg, a, b
    li t6, \a
    beq \reg, t6, .Lok\@
    CHECK \n, \reg, \b
.Lok\@:
.endm

/* a misaligned load is either performed (rd = exp) or raises cause 4/5 with
   tval = the address, xepc = the load and rd untouched */
.macro TEST_MISALIGNED_LD n, op, off, exp
    li gp, \n
    la a1, mdata
    addi a1, a1, \off
    li a3, 0x5a5a
    TRAP_ARM .Lr\@
.Li\@:
    \op a3, 0(a1)
.Lr\@:
    TRAP_DISARM
    ld t5, HB_COUNT(tp)
    beqz t5, .Lp\@
    ld t5, HB_CAUSE(tp)
    CHECK_ONEOF \n, t5, CAUSE_MISALIGNED_LOAD, CAUSE_LOAD_ACCESS
    ld t5, HB_TVAL(tp)
    CHECKR \n, t5, a1
    ld t5, HB_EPC(tp)
    CHECKA \n, t5, .Li\@
    CHECK \n, a3, 0x5a5a
    j .Ld\@
.Lp\@:
    CHECK \n, a3, \exp
.Ld\@:
.endm

/* a misaligned store is either performed (the two dwords at sbuf become
   exp0/exp1) or raises cause 6/7 with tval = the address and memory untouched */
.macro TEST_MISALIGNED_ST n, op, off, val, exp0, exp1
    li gp, \n
    la a1, sbuf
    sd zero, 0(a1)
    sd zero, 8(a1)
    addi a1, a1, \off
    li a2, \val
    TRAP_ARM .Lr\@
.Li\@:
    \op a2, 0(a1)
.Lr\@:
    TRAP_DISARM
    la a4, sbuf
    ld a3, 0(a4)
    ld a4, 8(a4)
    ld t5, HB_COUNT(tp)
    beqz t5, .Lp\@
    ld t5, HB_CAUSE(tp)
    CHECK_ONEOF \n, t5, CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS
    ld t5, HB_TVAL(tp)
    CHECKR \n, t5, a1
    CHECK \n, a3, 0
    CHECK \n, a4, 0
    j .Ld\@
.Lp\@:
    CHECK \n, a3, \exp0
    CHECK \n, a4, \exp1
.Ld\@:
.endm

TEST_BEGIN
    li a7, 0                            /* ecalls below are not service calls */
    /* ---- environment calls from each mode ---- */
    TEST_EXC 1, CAUSE_ECALL_M, 3, ecall
    CHECK_TPRIV 1, 3
    CHECK_TVAL 2, 0
    GO_S
    li a7, 0
    TEST_EXC 3, CAUSE_ECALL_S, 3, ecall
    CHECK_TPRIV 3, 1
    GO_M
    GO_U
    li a7, 0
    TEST_EXC 4, CAUSE_ECALL_U, 3, ecall
    CHECK_TPRIV 4, 0
    CHECK_TVAL 5, 0
    GO_M

    /* ---- breakpoint: xepc = pc, tval = pc (or 0) ---- */
    li gp, 6
    TRAP_ARM 2f
    .option push
    .option norvc
1:  ebreak
    .option pop
2:  CHECK_TRAP_AT 6, CAUSE_BREAKPOINT, 3, 1b
    ld t5, HB_TVAL(tp)
    beqz t5, 3f
    CHECKA 7, t5, 1b
3:  GO_U
    TEST_EXC 8, CAUSE_BREAKPOINT, 3, ebreak
    CHECK_TPRIV 8, 0
    GO_M

    /* ---- illegal instructions: tval = the encoding (or 0) ---- */
    TEST_ILLEGAL 9, 3, .word 0x0000000b             /* custom-0 opcode */
    TEST_ILLEGAL 10, 3, .word 0xfe000033 | (1 << 25) /* reserved OP funct7 */
    GO_S
    TEST_ILLEGAL 11, 3, mret                         /* mret below M */
    CHECK_TPRIV 11, 1
    GO_M
    GO_U
    TEST_ILLEGAL 12, 3, mret
    TEST_ILLEGAL 13, 3, sret                         /* sret in U */
    TEST_ILLEGAL 14, 3, wfi                          /* wfi in U (S exists) */
    TEST_ILLEGAL 15, 3, sfence.vma
    CHECK_TPRIV 15, 0
    GO_M

    /* ---- misaligned loads and stores: performed or trapped, consistently ---- */
    TEST_MISALIGNED_LD 16, ld,  1, 0x8807060504030201
    TEST_MISALIGNED_LD 17, ld,  4, 0x8b8a898807060504
    TEST_MISALIGNED_LD 18, lw,  1, 0x04030201
    TEST_MISALIGNED_LD 19, lw,  6, 0xffffffff89880706
    TEST_MISALIGNED_LD 20, lwu, 6, 0x89880706
    TEST_MISALIGNED_LD 21, lh,  7, 0xffffffffffff8807
    TEST_MISALIGNED_LD 22, lhu, 3, 0x0403
    TEST_MISALIGNED_ST 23, sd, 3, 0x1122334455667788, 0x4455667788000000, 0x112233
    TEST_MISALIGNED_ST 24, sw, 1, 0xaabbccdd, 0x000000aabbccdd00, 0
    TEST_MISALIGNED_ST 25, sh, 7, 0xeeff, 0xff00000000000000, 0xee
    TEST_MISALIGNED_ST 26, sw, 6, 0x01020304, 0x0304000000000000, 0x0102

    /* ---- access faults on unmapped physical addresses ---- */
    li gp, 27
    li a1, UNMAPPED_LOW
    TEST_EXC 27, CAUSE_LOAD_ACCESS, 3, ld a3, 0(a1)
    CHECK_TVAL 27, UNMAPPED_LOW
    li a1, UNMAPPED_HIGH
    TEST_EXC 28, CAUSE_LOAD_ACCESS, 3, lw a3, 8(a1)
    CHECK_TVAL 28, UNMAPPED_HIGH + 8
    TEST_EXC 29, CAUSE_STORE_ACCESS, 3, sd a3, 16(a1)
    CHECK_TVAL 29, UNMAPPED_HIGH + 16
    li a1, UNMAPPED_LOW
    TEST_EXC 30, CAUSE_STORE_ACCESS, 3, sw a3, 0(a1)
    /* an AMO faults as a store (7); QEMU 7.2 reports a load access fault (5) */
    li gp, 31
    TRAP_ARM 15f
    amoadd.w a3, a3, (a1)
15: TRAP_DISARM
    ld t5, HB_CAUSE(tp)
    IF_QEMU 16f
    CHECK 31, t5, CAUSE_STORE_ACCESS
    j 17f
16: CHECK_ONEOF 31, t5, CAUSE_STORE_ACCESS, CAUSE_LOAD_ACCESS
17:
    /* fetch: xepc and tval are the target */
    li gp, 32
    TRAP_ARM 4f
    li a1, UNMAPPED_HIGH
    jalr ra, 0(a1)
4:  CHECK_TRAP 32, CAUSE_FETCH_ACCESS, 3
    ld t5, HB_EPC(tp)
    CHECK 32, t5, UNMAPPED_HIGH
    CHECK_TVAL 33, UNMAPPED_HIGH
    TRAP_ARM 5f
    li a1, UNMAPPED_LOW
    jalr ra, 0(a1)
5:  CHECK_TRAP 34, CAUSE_FETCH_ACCESS, 3
    ld t5, HB_EPC(tp)
    CHECK 34, t5, UNMAPPED_LOW
    /* from U-mode the fault is the same */
    GO_U
    li a1, UNMAPPED_HIGH
    TEST_EXC 35, CAUSE_LOAD_ACCESS, 3, lb a3, 0(a1)
    CHECK_TPRIV 35, 0
    GO_M

    /* ---- xepc is WARL: bit 0 always reads 0 ---- */
    /* QEMU 7.2 keeps bit 0 and clears it only when returning */
    li gp, 36
    IF_QEMU 18f
    li a1, 0x80000003
    csrw mepc, a1
    csrr a3, mepc
    CHECK 36, a3, 0x80000002
    csrw sepc, a1
    csrr a3, sepc
    CHECK 37, a3, 0x80000002
18:

    /* ---- medeleg / mideleg WARL ---- */
    li gp, 38
    li a1, -1
    csrw medeleg, a1
    csrr a3, medeleg
    srli a4, a3, 11
    andi a4, a4, 1
    IF_QEMU 19f                                      /* QEMU 7.2 lets medeleg[11] be set */
    CHECK 38, a4, 0                                  /* ecall from M is never delegated */
19:
    li a5, (1 << 8) | (1 << 2) | (1 << 3) | (1 << 12) | (1 << 13) | (1 << 15)
    and a4, a3, a5
    CHECKR 39, a4, a5
    csrw mideleg, a1
    csrr a3, mideleg
    andi a4, a3, 0x222
    CHECK 40, a4, 0x222                              /* SSI, STI, SEI delegable */
    li a5, 0x888
    and a4, a3, a5
    CHECK 41, a4, 0                                  /* M interrupts are not */
    csrw mideleg, zero
    csrw medeleg, zero

    /* ---- delegation to S ---- */
    li a1, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT)
    csrw medeleg, a1
    GO_S
    TEST_ILLEGAL 42, 1, .word 0x0000000b             /* S -> S */
    CHECK_TPRIV 42, 1
    TEST_EXC 43, CAUSE_BREAKPOINT, 1, ebreak
    li a7, 0
    TEST_EXC 44, CAUSE_ECALL_S, 3, ecall             /* not delegated: to M */
    /* U -> S: check scause, sepc, stval, sstatus.SPP/SPIE */
    csrsi sstatus, MSTATUS_SIE                       /* SIE = 1 before going down */
    li a1, MSTATUS_SPP
    csrc sstatus, a1
    la a1, 6f
    csrw sepc, a1
    sret
6:  li a7, 0
    li gp, 45
    TRAP_ARM_TO 7f, 1                                /* come back in S */
8:  ecall
7:  CHECK_TRAP_AT 45, CAUSE_ECALL_U, 1, 8b
    CHECK_TPRIV 45, 0
    ld t5, HB_STATUS(tp)
    andi t5, t5, MSTATUS_SPIE
    CHECK 46, t5, MSTATUS_SPIE                       /* SPIE = old SIE */
    ld t5, HB_STATUS(tp)
    andi t5, t5, MSTATUS_SIE
    CHECK 47, t5, 0                                  /* SIE cleared on entry */
    csrr t5, scause
    CHECK 48, t5, CAUSE_ECALL_U
    csrr t5, stval
    CHECK 49, t5, 0
    /* an exception in M-mode is never delegated */
    GO_M
    TEST_ILLEGAL 50, 3, .word 0x0000000b
    csrw medeleg, zero

    /* ---- trap entry into M: MPP, MPIE, MIE ---- */
    li gp, 51
    li a1, MSTATUS_MIE
    csrc mstatus, a1                                 /* mie = 0: nothing can interrupt */
    csrw mie, zero
    csrs mstatus, a1                                 /* MIE = 1 */
    TEST_EXC 51, CAUSE_BREAKPOINT, 3, ebreak
    ld t5, HB_STATUS(tp)
    andi t6, t5, MSTATUS_MPIE
    CHECK 52, t6, MSTATUS_MPIE
    andi t6, t5, MSTATUS_MIE
    CHECK 53, t6, 0
    srli t6, t5, 11
    andi t6, t6, 3
    CHECK 54, t6, 3
    li a1, MSTATUS_MIE
    csrc mstatus, a1

    /* ---- mret: MIE <- MPIE, MPIE <- 1, MPP <- U, MPRV kept when MPP = M ---- */
    li gp, 55
    li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MPRV
    csrs mstatus, a1                                 /* MPP = M, MPIE = 1, MPRV = 1 */
    la a1, 9f
    csrw mepc, a1
    mret
9:  csrr a3, mstatus
    li a1, MSTATUS_MPRV
    csrc mstatus, a1
    andi a4, a3, MSTATUS_MIE
    CHECK 55, a4, MSTATUS_MIE
    andi a4, a3, MSTATUS_MPIE
    CHECK 56, a4, MSTATUS_MPIE
    srli a4, a3, 11
    andi a4, a4, 3
    CHECK 57, a4, 0
    srli a4, a3, 17
    andi a4, a4, 1
    CHECK 58, a4, 1
    li a1, MSTATUS_MIE
    csrc mstatus, a1
    /* MPIE = 0 -> MIE = 0 */
    li a1, MSTATUS_MPIE
    csrc mstatus, a1
    li a1, MSTATUS_MPP
    csrs mstatus, a1
    li a1, MSTATUS_MIE
    csrs mstatus, a1
    la a1, 10f
    csrw mepc, a1
    mret
10: csrr a3, mstatus
    andi a4, a3, MSTATUS_MIE
    CHECK 59, a4, 0
    /* mret to S clears MPRV */
    li a1, MSTATUS_MPP
    csrc mstatus, a1
    li a1, MSTATUS_MPP_S | MSTATUS_MPRV
    csrs mstatus, a1
    la a1, 11f
    csrw mepc, a1
    mret
11: GO_M
    csrr a3, mstatus
    srli a4, a3, 17
    andi a4, a4, 1
    IF_QEMU 20f                                      /* QEMU 7.2 leaves MPRV set */
    CHECK 60, a4, 0
20: li a1, MSTATUS_MPRV
    csrc mstatus, a1

    /* ---- sret: SIE <- SPIE, SPIE <- 1, SPP <- U; to U clears MPRV ---- */
    li gp, 61
    GO_S
    li a1, MSTATUS_SPP | MSTATUS_SPIE
    csrs sstatus, a1
    csrci sstatus, MSTATUS_SIE
    la a1, 12f
    csrw sepc, a1
    sret
12: csrr a3, sstatus
    csrci sstatus, MSTATUS_SIE
    andi a4, a3, MSTATUS_SIE
    CHECK 61, a4, MSTATUS_SIE
    andi a4, a3, MSTATUS_SPIE
    CHECK 62, a4, MSTATUS_SPIE
    andi a4, a3, MSTATUS_SPP
    CHECK 63, a4, 0
    /* SPIE = 0 -> SIE = 0, and SPP = 0 lands in U */
    li a1, MSTATUS_SPIE | MSTATUS_SPP
    csrc sstatus, a1
    csrsi sstatus, MSTATUS_SIE
    la a1, 13f
    csrw sepc, a1
    sret
13: TEST_ILLEGAL 64, 3, csrr a3, sstatus           /* proves U-mode */
    CHECK_TPRIV 64, 0
    GO_M
    csrr a3, mstatus
    andi a4, a3, MSTATUS_SIE
    CHECK 65, a4, 0
    /* sret executed in M: returns to SPP and clears MPRV */
    li a1, MSTATUS_SPP
    csrs mstatus, a1
    li a1, MSTATUS_MPRV
    csrs mstatus, a1
    la a1, 14f
    csrw sepc, a1
    sret
14: TEST_NOEXC 66, csrr a3, sstatus                  /* in S now */
    TEST_ILLEGAL 67, 3, csrr a3, mstatus
    GO_M
    csrr a3, mstatus
    srli a4, a3, 17
    andi a4, a4, 1
    IF_QEMU 21f                                      /* QEMU 7.2 leaves MPRV set */
    CHECK 68, a4, 0
21: li a1, MSTATUS_MPRV
    csrc mstatus, a1

    /* ---- TW: wfi in S traps when TW = 1 ---- */
    li gp, 69
    li a1, MSTATUS_TW
    csrs mstatus, a1
    GO_S
    TEST_ILLEGAL 69, 3, wfi
    CHECK_TPRIV 69, 1
    GO_M
    li a1, MSTATUS_TW
    csrc mstatus, a1
    /* TW = 0: wfi in S is legal; make an interrupt pending and locally
       enabled but globally off, so that it completes at once */
    li a1, (1 << IRQ_SSI)
    csrw mideleg, a1
    csrw mie, a1
    csrs mip, a1
    csrci mstatus, MSTATUS_SIE
    GO_S
    TEST_NOEXC 70, wfi
    GO_M
    li a1, (1 << IRQ_SSI)
    csrc mip, a1
    csrw mie, zero
    csrw mideleg, zero

    /* ---- TSR: sret in S traps when TSR = 1 ---- */
    li a1, MSTATUS_TSR
    csrs mstatus, a1
    GO_S
    TEST_ILLEGAL 71, 3, sret
    CHECK_TPRIV 71, 1
    GO_M
    li a1, MSTATUS_TSR
    csrc mstatus, a1

    /* ---- TVM: satp and sfence.vma in S trap when TVM = 1 ---- */
    li a1, MSTATUS_TVM
    csrs mstatus, a1
    GO_S
    TEST_ILLEGAL 72, 3, csrr a3, satp
    TEST_ILLEGAL 73, 3, csrw satp, zero
    TEST_ILLEGAL 74, 3, sfence.vma
    TEST_ILLEGAL 75, 3, sfence.vma a0, zero
    GO_M
    li a1, MSTATUS_TVM
    csrc mstatus, a1
    GO_S
    TEST_NOEXC 76, csrr a3, satp
    TEST_NOEXC 77, sfence.vma
    GO_M
    TEST_NOEXC 78, csrr a3, satp                     /* M is never affected */
    TEST_END

    .data
    .align 4
mdata:
    .dword 0x0706050403020100, 0x8f8e8d8c8b8a8988
sbuf:
    .dword 0, 0
