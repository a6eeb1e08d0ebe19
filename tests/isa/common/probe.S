/*
 * probe(mode, kind, addr, val): perform one memory access or fetch in a
 * given mode and come back to M-mode, for the C test programs.
 *
 *   mode: 0 = U, 1 = S, 3 = M, 4 + p = M with MPRV = 1 and MPP = p; with the H extension
 *         PROBE_V (0x10) may be or-ed in: V = 1 (0x10 = VU, 0x11 = VS, 0x14 + p = MPRV with
 *         MPV = 1)
 *   kind: PROBE_* in test_c.h; PROBE_NOFLUSH may be or-ed in to skip the
 *         sfence.vma that otherwise precedes the access
 *   U-mode runs the access code through the alias at +U_ALIAS_OFF (a
 *   U-accessible mapping of the program the caller must provide).
 *
 * Returns the loaded value (or the value returned by fetched code in a4);
 * the hart block says what happened: HB_CAUSE is the exception cause, or
 * the ecall cause (8, 9, 11) when the access itself completed.
 */
#include "defs.h"

#define PROBE_NOFLUSH   0x100
#define U_ALIAS_OFF     0x40000000
#define PROBE_V         0x10
    .option arch, +h

    .text
    .globl probe
    .align 2
probe:
    addi sp, sp, -16
    sd ra, 0(sp)
    andi t0, a1, PROBE_NOFLUSH
    bnez t0, 1f
    sfence.vma
1:  andi a1, a1, 0xff
    /* arm: one exception, resume at 9f in M-mode */
    sd zero, HB_COUNT(tp)
    li t0, -1
    sd t0, HB_CAUSE(tp)
    sd t0, HB_EPC(tp)
    sd t0, HB_TVAL(tp)
    la t0, 9f
    sd t0, HB_RESUME(tp)
    sd zero, HB_SKIP(tp)
    li t0, 4
    sd t0, HB_RESUMEPRIV(tp)
    li a4, 0xdead
    li a7, 0
    andi t0, a0, PROBE_V
    beqz t0, 3f
    andi a0, a0, 0xf
    li t0, MSTATUS_MPV
    csrs mstatus, t0
3:  li t0, 3
    beq a0, t0, 6f
    bgt a0, t0, 5f
    /* drop to U or S at 6f */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    slli t0, a0, 11
    csrs mstatus, t0
    la t0, 6f
    bnez a0, 2f
    li t1, U_ALIAS_OFF
    add t0, t0, t1
2:  csrw mepc, t0
    mret
5:  /* M-mode with MPRV: MPP = mode - 4 */
    addi t0, a0, -4
    li t1, MSTATUS_MPP
    csrc mstatus, t1
    slli t0, t0, 11
    csrs mstatus, t0
    li t1, MSTATUS_MPRV
    csrs mstatus, t1
6:  /* the access; only branches, so it runs at any alias */
    li t0, 0
    beq a1, t0, 10f
    li t0, 1
    beq a1, t0, 11f
    li t0, 2
    beq a1, t0, 12f
    li t0, 3
    beq a1, t0, 13f
    li t0, 4
    beq a1, t0, 14f
    li t0, 5
    beq a1, t0, 15f
    li t0, 6
    beq a1, t0, 16f
    li t0, 7
    beq a1, t0, 17f
    li t0, 8
    beq a1, t0, 18f
    li t0, 9
    beq a1, t0, 19f
    li t0, 10
    beq a1, t0, 20f
    li t0, 11
    beq a1, t0, 21f
    j 8f
10: ld a4, 0(a2)
    j 8f
11: sd a3, 0(a2)
    j 8f
12: jalr t1, 0(a2)                  /* fetched code sets a4 and returns via t1 */
    j 8f
13: lw a4, 0(a2)
    j 8f
14: sb a3, 0(a2)
    j 8f
15: amoadd.d a4, a3, (a2)
    j 8f
16: lr.d a4, (a2)
    j 8f
17: sfence.vma a2, zero
    j 8f
18: hlv.d a4, (a2)
    j 8f
19: hsv.d a3, (a2)
    j 8f
20: hlvx.wu a4, (a2)
    j 8f
21: hlv.w a4, (a2)
8:  li a7, 0
    ecall                           /* back to 9f through the armed trap */
9:  li t0, MSTATUS_MPRV | MSTATUS_MPV       /* MPV: not writable without the H extension */
    csrc mstatus, t0
    sd zero, HB_RESUME(tp)
    sd zero, HB_RESUMEPRIV(tp)
    mv a0, a4
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

/* code copied into test pages: returns 0x600d in a4 through t1 */
    .globl probe_snippet, probe_snippet_end
    .option push
    .option norvc
probe_snippet:
    li a4, 0x600d
    jalr x0, 0(t1)
probe_snippet_end:
    .option pop
