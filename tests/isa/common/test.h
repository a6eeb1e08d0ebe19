/*
 * Macro library for the assembly test programs.
 *
 * Conventions
 *   tp  hart block (defs.h), never changed by tests
 *   gp  number of the current check (reported on an unexpected trap)
 *   t4, t5, t6  clobbered by every CHECK; the TEST_* macros also use a1..a4
 * Each check is one line with its own number n (1..250); a failing check
 * prints "FAIL <file> test <n>: got <hex> expected <hex>" and the program
 * ends with exit code n (the first failure) once it reaches TEST_END.
 */
#ifndef ISA_TEST_H
#define ISA_TEST_H
#include "defs.h"

#define HB(field) field(tp)

.macro TEST_BEGIN
    .text
    .globl test_main
test_main:
.endm

/* end of the program: must be reached in M-mode */
.macro TEST_END
    j test_pass
.endm

/* ---- basic comparisons -------------------------------------------------- */

/* reg == constant (reg must not be t4 or t6) */
.macro CHECK n, reg, exp
    li gp, \n
    li t6, \exp
    beq \reg, t6, .Lok\@
    mv t5, \reg
    jal t4, __check_fail
.Lok\@:
.endm

/* reg == address of a symbol */
.macro CHECKA n, reg, sym
    li gp, \n
    la t6, \sym
    beq \reg, t6, .Lok\@
    mv t5, \reg
    jal t4, __check_fail
.Lok\@:
.endm

/* reg == expreg */
.macro CHECKR n, reg, expreg
    li gp, \n
    mv t6, \expreg
    beq \reg, t6, .Lok\@
    mv t5, \reg
    jal t4, __check_fail
.Lok\@:
.endm

/* reg != constant (reports got = reg, expected = anything else: shown as ~exp) */
.macro CHECK_NE n, reg, val
    li gp, \n
    li t6, \val
    bne \reg, t6, .Lok\@
    mv t5, \reg
    not t6, t6
    jal t4, __check_fail
.Lok\@:
.endm

/* reg1 <u reg2 ("got" is reg1, "expected" is reg2: expected something below it) */
.macro CHECK_LTU n, reg1, reg2
    li gp, \n
    bltu \reg1, \reg2, .Lok\@
    mv t5, \reg1
    mv t6, \reg2
    jal t4, __check_fail
.Lok\@:
.endm

/* 64-bit word at symbol+off == constant */
.macro CHECK_MEM n, sym, off, exp
    la t5, \sym
    ld t5, \off(t5)
    CHECK \n, t5, \exp
.endm

/* field of the hart block == constant */
.macro CHECK_HB n, field, exp
    ld t5, \field(tp)
    CHECK \n, t5, \exp
.endm

/* ---- one-line instruction checks ---------------------------------------- */

/* rd = op(a, b) for register-register ops */
.macro TEST_RR n, op, exp, a, b
    li gp, \n
    li a1, \a
    li a2, \b
    \op a3, a1, a2
    CHECK \n, a3, \exp
.endm

/* rd = rs1 = op(rs1, rs2) */
.macro TEST_RR_SRC1 n, op, exp, a, b
    li gp, \n
    li a1, \a
    li a2, \b
    \op a1, a1, a2
    CHECK \n, a1, \exp
.endm

/* rd = rs2 = op(rs1, rs2) */
.macro TEST_RR_SRC2 n, op, exp, a, b
    li gp, \n
    li a1, \a
    li a2, \b
    \op a2, a1, a2
    CHECK \n, a2, \exp
.endm

/* rd = rs1 = rs2 */
.macro TEST_RR_SAME n, op, exp, a
    li gp, \n
    li a1, \a
    \op a1, a1, a1
    CHECK \n, a1, \exp
.endm

/* writes to x0 are ignored */
.macro TEST_RR_X0 n, op, a, b
    li gp, \n
    li a1, \a
    li a2, \b
    \op x0, a1, a2
    CHECK \n, x0, 0
.endm

/* rd = op(a, imm) */
.macro TEST_RI n, op, exp, a, imm
    li gp, \n
    li a1, \a
    \op a3, a1, \imm
    CHECK \n, a3, \exp
.endm

/* rd = rs1 = op(rs1, imm) */
.macro TEST_RI_SRC1 n, op, exp, a, imm
    li gp, \n
    li a1, \a
    \op a1, a1, \imm
    CHECK \n, a1, \exp
.endm

/* rd = op(a) (unary, e.g. sext.w or an integer/FP move) */
.macro TEST_R n, op, exp, a
    li gp, \n
    li a1, \a
    \op a3, a1
    CHECK \n, a3, \exp
.endm

/* load: rd = op off(sym) */
.macro TEST_LD n, op, exp, sym, off
    li gp, \n
    la a1, \sym
    \op a3, \off(a1)
    CHECK \n, a3, \exp
.endm

/* store val with sop at off(sym), read back with lop */
.macro TEST_ST n, sop, lop, exp, val, sym, off
    li gp, \n
    la a1, \sym
    li a2, \val
    \sop a2, \off(a1)
    \lop a3, \off(a1)
    CHECK \n, a3, \exp
.endm

/* branch: taken = 1 or 0; checks a forward and a backward branch */
.macro TEST_BR n, op, taken, a, b
    li gp, \n
    li a1, \a
    li a2, \b
    li a3, 0
    \op a1, a2, .Lfwd\@
    j .Lnf\@
.Lfwd\@:
    ori a3, a3, 1
.Lnf\@:
    j .Lstart\@
.Lback\@:
    ori a3, a3, 2
    j .Ldone\@
.Lstart\@:
    \op a1, a2, .Lback\@
.Ldone\@:
    CHECK \n, a3, (\taken * 3)
.endm

/* ---- exceptions ------------------------------------------------------------ */

/* expect an exception: the handler records it and continues at resume */
.macro TRAP_ARM resume
    sd zero, HB_COUNT(tp)
    li t6, -1
    sd t6, HB_CAUSE(tp)
    sd t6, HB_EPC(tp)
    sd t6, HB_TVAL(tp)
    sd t6, HB_MODE(tp)
    sd t6, HB_PRIV(tp)
    sd t6, HB_TVAL2(tp)
    sd t6, HB_TINST(tp)
    sd t6, HB_HSTATUS(tp)
    la t6, \resume
    sd t6, HB_RESUME(tp)
    sd zero, HB_SKIP(tp)
    sd zero, HB_RESUMEPRIV(tp)
.endm

/* expect an exception: continue at resume in mode (0 = U, 1 = S, 3 = M) */
.macro TRAP_ARM_TO resume, mode
    TRAP_ARM \resume
    li t6, (\mode + 1)
    sd t6, HB_RESUMEPRIV(tp)
.endm

/* expect an exception (or accept none): continue after the trapping instruction */
.macro TRAP_ARM_SKIP
    sd zero, HB_COUNT(tp)
    li t6, -1
    sd t6, HB_CAUSE(tp)
    sd t6, HB_EPC(tp)
    sd t6, HB_TVAL(tp)
    sd t6, HB_MODE(tp)
    sd t6, HB_PRIV(tp)
    sd t6, HB_TVAL2(tp)
    sd t6, HB_TINST(tp)
    sd t6, HB_HSTATUS(tp)
    sd zero, HB_RESUME(tp)
    sd zero, HB_RESUMEPRIV(tp)
    li t6, 1
    sd t6, HB_SKIP(tp)
.endm

.macro TRAP_DISARM
    sd zero, HB_RESUME(tp)
    sd zero, HB_SKIP(tp)
    sd zero, HB_RESUMEPRIV(tp)
.endm

/* exactly one exception with this cause, taken to mode (3 = M, 1 = S) */
.macro CHECK_TRAP n, cause, mode
    TRAP_DISARM
    ld t5, HB_CAUSE(tp)
    CHECK \n, t5, \cause
    ld t5, HB_MODE(tp)
    CHECK \n, t5, \mode
    ld t5, HB_COUNT(tp)
    CHECK \n, t5, 1
.endm

/* ... and its xepc is the address of sym */
.macro CHECK_TRAP_AT n, cause, mode, sym
    CHECK_TRAP \n, \cause, \mode
    ld t5, HB_EPC(tp)
    CHECKA \n, t5, \sym
.endm

.macro CHECK_TVAL n, val
    ld t5, HB_TVAL(tp)
    CHECK \n, t5, \val
.endm

.macro CHECK_TVALA n, sym
    ld t5, HB_TVAL(tp)
    CHECKA \n, t5, \sym
.endm

/* mode the last exception came from */
.macro CHECK_TPRIV n, priv
    ld t5, HB_PRIV(tp)
    CHECK \n, t5, \priv
.endm

.macro CHECK_NOTRAP n
    TRAP_DISARM
    ld t5, HB_COUNT(tp)
    CHECK \n, t5, 0
.endm

/* one instruction raises cause in mode; checks cause, mode, count and epc */
.macro TEST_EXC n, cause, mode, insn:vararg
    li gp, \n
    TRAP_ARM .Lres\@
.Linsn\@:
    \insn
.Lres\@:
    CHECK_TRAP_AT \n, \cause, \mode, .Linsn\@
.endm

/* one instruction is illegal: cause 2, tval is 0 or its encoding */
.macro TEST_ILLEGAL n, mode, insn:vararg
    li gp, \n
    TRAP_ARM .Lres\@
.Linsn\@:
    \insn
.Lres\@:
    CHECK_TRAP_AT \n, CAUSE_ILLEGAL, \mode, .Linsn\@
    la t5, .Linsn\@
    lwu t6, 0(t5)
    andi t5, t6, 3
    addi t5, t5, -3
    beqz t5, .Lw\@
    slli t6, t6, 48                 /* 16-bit encoding */
    srli t6, t6, 48
.Lw\@:
    ld t5, HB_TVAL(tp)
    beqz t5, .Lz\@
    CHECKR \n, t5, t6
.Lz\@:
.endm

/* one instruction does not trap */
.macro TEST_NOEXC n, insn:vararg
    li gp, \n
    TRAP_ARM .Lres\@
    \insn
.Lres\@:
    CHECK_NOTRAP \n
.endm

/* branch to label when running on QEMU (see HB_QEMU); used only to accept a
   known QEMU deviation from the specification, each one noted where used */
.macro IF_QEMU label
    ld t6, HB_QEMU(tp)
    bnez t6, \label
.endm

/* ---- interrupts ------------------------------------------------------------ */

.macro LOG_CLEAR
    sd zero, HB_LOGN(tp)
    sd zero, HB_LOG(tp)
.endm

.macro CHECK_LOGN n, count
    ld t5, HB_LOGN(tp)
    CHECK \n, t5, \count
.endm

/* the idx-th interrupt taken was code, in mode */
.macro CHECK_LOG n, idx, code, mode
    ld t5, (HB_LOG + 8 * \idx)(tp)
    CHECK \n, t5, \code
    ld t5, (HB_LOGMODE + 8 * \idx)(tp)
    CHECK \n, t5, \mode
.endm

/* spin until at least count interrupts are logged, or until mtime has moved
   on by ticks (default 0.5 s at 10 MHz); a time bound rather than an
   iteration count, since a host may deliver a timer late under load */
.macro WAIT_LOG count, ticks=5000000
    li t4, CLINT_MTIME
    ld t5, 0(t4)
    li t6, \ticks
    add t5, t5, t6
.Lw\@:
    ld t6, HB_LOGN(tp)
    li t4, \count
    bgeu t6, t4, .Lwd\@
    li t4, CLINT_MTIME
    ld t6, 0(t4)
    bltu t6, t5, .Lw\@
.Lwd\@:
.endm

/* ---- privilege changes ------------------------------------------------------ */

/* from M: continue at the next line in mode (0 = U, 1 = S, 3 = M) */
.macro GO_MODE mode
    li t6, MSTATUS_MPP
    csrc mstatus, t6
    li t6, (\mode << 11)
    csrs mstatus, t6
    la t6, .Lgo\@
    csrw mepc, t6
    mret
.Lgo\@:
.endm

.macro GO_S
    GO_MODE 1
.endm

.macro GO_U
    GO_MODE 0
.endm

/* from any mode (ecall not delegated): continue at the next line in M-mode */
.macro GO_M
    li a7, SVC_MAGIC
    li a0, SVC_GO_M
    ecall
.endm

#endif
