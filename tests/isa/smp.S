/* Two harts (run with -smp 2): an msip IPI wakes hart 1, an LR/SC spinlock
   guards a plain counter, amoadd.d counts, and a remote store breaks an
   LR reservation. */
#include "test.h"

#define ROUNDS     2000
#define WAIT_LIMIT 50000000
#define WAIT_TICKS 20000000                 /* 2 s */
#define MSIP1      (CLINT_MSIP + 4)

/* spin until the word at sym equals val, for at most WAIT_TICKS of mtime */
.macro WAIT_FOR sym, val
    la t0, \sym
    li t1, \val
    li t4, CLINT_MTIME
    ld t2, 0(t4)
    li t3, WAIT_TICKS
    add t2, t2, t3
.Lw\@:
    lw t3, 0(t0)
    beq t3, t1, .Ld\@
    ld t3, 0(t4)
    bltu t3, t2, .Lw\@
.Ld\@:
    fence rw, rw
.endm

.macro CHECK_FLAG n, sym, val
    la t5, \sym
    lw t5, 0(t5)
    CHECK \n, t5, \val
.endm

.macro SET_FLAG sym, val
    fence rw, rw
    la t0, \sym
    li t1, \val
    sw t1, 0(t0)
.endm

/* acquire / release the spinlock at lock (clobbers t0-t2) */
.macro LOCK
    la t0, lock
.Lspin\@:
    lr.w.aq t1, (t0)
    bnez t1, .Lspin\@
    li t1, 1
    sc.w t2, t1, (t0)
    bnez t2, .Lspin\@
.endm

.macro UNLOCK
    la t0, lock
    amoswap.w.rl zero, zero, (t0)
.endm

/* both harts: ROUNDS locked increments of plain_count, ROUNDS amoadd.d */
.macro HAMMER
    li s1, ROUNDS
.Lh\@:
    LOCK
    la t3, plain_count
    ld t4, 0(t3)
    addi t4, t4, 1
    sd t4, 0(t3)
    UNLOCK
    la t3, amo_count
    li t4, 1
    amoadd.d zero, t4, (t3)
    /* one more bit of this hart's half each round, and a running maximum */
    la t3, or_word
    andi t4, s1, 15
    sll t4, s2, t4
    amoor.w zero, t4, (t3)
    la t3, max_word
    add t4, s3, s1
    amomax.d zero, t4, (t3)
    addi s1, s1, -1
    bnez s1, .Lh\@
.endm

TEST_BEGIN
    /* ---- hart 1 sleeps until an IPI from hart 0 ---- */
    WAIT_FOR h1_ready, 1
    CHECK_FLAG 1, h1_ready, 1                     /* hart 1 is running */
    CHECK_MEM 2, h1_hartid, 0, 1
    CHECK_FLAG 3, h1_awake, 0                     /* and waits */
    li t0, MSIP1
    li t1, 1
    sw t1, 0(t0)                                    /* IPI */
    WAIT_FOR h1_awake, 1
    CHECK_FLAG 4, h1_awake, 1
    CHECK_MEM 5, h1_cause, 0, 0x8000000000000000 | IRQ_MSI
    li t0, MSIP1
    lw a3, 0(t0)
    CHECK 6, a3, 0                                  /* hart 1 cleared its msip */
    csrr a3, mip
    andi a3, a3, (1 << IRQ_MSI)
    CHECK 7, a3, 0                                  /* hart 0 not disturbed */

    /* ---- spinlock and atomic counter, both harts at once ---- */
    SET_FLAG go, 1
    li s2, 1                                        /* bits 0..15 */
    li s3, 100
    HAMMER
    WAIT_FOR h1_done, 1
    CHECK_FLAG 8, h1_done, 1
    la t0, plain_count
    ld a3, 0(t0)
    CHECK 9, a3, 2 * ROUNDS
    la t0, amo_count
    ld a3, 0(t0)
    CHECK 10, a3, 2 * ROUNDS
    CHECK_FLAG 11, lock, 0
    la t0, or_word
    lw a3, 0(t0)
    CHECK 15, a3, -1                                /* both halves, sign-extended */
    la t0, max_word
    ld a3, 0(t0)
    CHECK 16, a3, 100 + ROUNDS                      /* hart 0 holds the maximum */

    /* ---- a store from the other hart breaks the reservation ---- */
    la a1, shared
    lr.d a2, (a1)
    SET_FLAG poke, 1                                /* hart 1 stores to shared */
    WAIT_FOR poked, 1
    la a1, shared
    li a3, 0x1234
    sc.d a4, a3, (a1)
    CHECK_NE 12, a4, 0
    la a1, shared
    ld a3, 0(a1)
    CHECK 13, a3, 0xfeed                            /* hart 1's value stands */
    /* with no interference LR/SC still succeeds */
    lr.d a2, (a1)
    li a3, 0x4321
    sc.d a4, a3, (a1)
    CHECK 14, a4, 0

    /* ---- and an IPI the other way: hart 1 -> hart 0, woken by WFI ---- */
    li t0, (1 << IRQ_MSI)
    csrw mie, t0
    SET_FLAG ping, 1
    li a4, WAIT_LIMIT
1:  csrr a3, mip
    andi a3, a3, (1 << IRQ_MSI)
    bnez a3, 2f
    wfi
    addi a4, a4, -1
    bnez a4, 1b
2:  CHECK 17, a3, (1 << IRQ_MSI)
    li t0, CLINT_MSIP
    lw a3, 0(t0)
    CHECK 18, a3, 1
    sw zero, 0(t0)
    csrr a3, mip
    andi a3, a3, (1 << IRQ_MSI)
    CHECK 19, a3, 0
    csrw mie, zero
    CHECK_LOGN 20, 0                                /* MIE = 0: no trap */
    TEST_END

/* ------------------------------------------------------------------ */
    .globl secondary_main
secondary_main:
    csrr a0, mhartid
    la t0, h1_hartid
    sd a0, 0(t0)
    li t0, 1
    bne a0, t0, 9f                                  /* only hart 1 takes part */
    li t0, (1 << IRQ_MSI)
    csrw mie, t0
    SET_FLAG h1_ready, 1
    /* sleep with MIE = 0: WFI still wakes on the pending, enabled msip */
1:  wfi
    csrr t0, mip
    andi t0, t0, (1 << IRQ_MSI)
    beqz t0, 1b
    /* take it through the trap handler */
    csrsi mstatus, MSTATUS_MIE
    WAIT_LOG 1
    csrci mstatus, MSTATUS_MIE
    csrr t0, mcause
    la t1, h1_cause
    sd t0, 0(t1)
    li t0, MSIP1
    sw zero, 0(t0)
    SET_FLAG h1_awake, 1
    WAIT_FOR go, 1
    li s2, 0x10000                                  /* bits 16..31 */
    li s3, -100000
    HAMMER
    SET_FLAG h1_done, 1
    WAIT_FOR poke, 1
    la t0, shared
    li t1, 0xfeed
    sd t1, 0(t0)
    SET_FLAG poked, 1
    WAIT_FOR ping, 1
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)                                    /* IPI to hart 0 */
9:  wfi
    j 9b

    .data
    .align 6
lock:        .word 0
    .align 6
plain_count: .dword 0
    .align 6
amo_count:   .dword 0
    .align 6
shared:      .dword 0
    .align 6
h1_ready:    .word 0
h1_awake:    .word 0
h1_done:     .word 0
go:          .word 0
poke:        .word 0
poked:       .word 0
ping:        .word 0
    .align 6
or_word:     .word 0
    .align 6
max_word:    .dword 0
    .align 3
h1_hartid:   .dword 0
h1_cause:    .dword 0
