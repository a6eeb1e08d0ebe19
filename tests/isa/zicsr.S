/* Zicsr: CSR instructions, read-only CSRs, identification, FP views,
   counters and their enables, Sstc (menvcfg.STCE, stimecmp -> STIP). */
#include "test.h"

#define MIP_STIP (1 << 5)
#define STCE_BIT 63

/* spin for n iterations */
.macro DELAY n
    li t6, \n
.Ld\@:
    addi t6, t6, -1
    bnez t6, .Ld\@
.endm

TEST_BEGIN
    /* ---- csrrw / csrrs / csrrc on a plain read-write CSR ---- */
    li gp, 1
    li a1, 0x1234
    csrrw a3, mscratch, a1
    CHECKR 1, a3, tp                       /* old value: the hart block */
    li a1, 0xf0f0
    csrrs a3, mscratch, a1
    CHECK 2, a3, 0x1234
    csrrc a3, mscratch, zero               /* rs1 = x0: read only */
    CHECK 3, a3, 0xf2f4
    li a1, 0x00ff
    csrrc a3, mscratch, a1
    CHECK 4, a3, 0xf2f4
    csrr a3, mscratch
    CHECK 5, a3, 0xf200
    csrrwi a3, mscratch, 0x1f
    CHECK 6, a3, 0xf200
    csrrsi a3, mscratch, 0x10
    CHECK 7, a3, 0x1f
    csrrci a3, mscratch, 0x03
    CHECK 8, a3, 0x1f
    csrrsi a3, mscratch, 0                 /* zimm = 0: read only */
    CHECK 9, a3, 0x1c
    csrrci a3, mscratch, 0
    CHECK 10, a3, 0x1c
    li a1, -1
    csrrw x0, mscratch, a1                 /* rd = x0 still writes */
    csrr a3, mscratch
    CHECK 11, a3, -1
    li a1, 0x55
    csrrw a1, mscratch, a1                 /* rd = rs1: old value read, new written */
    CHECK 12, a1, -1
    csrr a3, mscratch
    CHECK 13, a3, 0x55
    csrw mscratch, tp

    /* ---- read-only CSRs: reads (incl. csrrs/csrrc with x0) legal, writes illegal ---- */
    TEST_NOEXC 14, csrrs a3, mhartid, x0
    CHECK 15, a3, 0
    TEST_NOEXC 16, csrrc a3, mvendorid, x0
    TEST_NOEXC 17, csrrsi a3, marchid, 0
    TEST_NOEXC 18, csrrci a3, mimpid, 0
    TEST_NOEXC 19, csrr a3, cycle
    li a1, 1
    TEST_ILLEGAL 20, 3, csrw mhartid, a1
    TEST_ILLEGAL 21, 3, csrrs a3, mvendorid, a1
    TEST_ILLEGAL 22, 3, csrrc a3, marchid, a1
    TEST_ILLEGAL 23, 3, csrrwi a3, mhartid, 0       /* csrrw always writes */
    TEST_ILLEGAL 24, 3, csrrw x0, mimpid, a1
    TEST_ILLEGAL 25, 3, csrrsi a3, mhartid, 1
    TEST_ILLEGAL 26, 3, csrw cycle, a1
    TEST_ILLEGAL 27, 3, csrrs a3, instret, a1
    TEST_ILLEGAL 28, 3, csrw time, a1
    TEST_ILLEGAL 29, 3, csrr a3, 0x8ff               /* unimplemented custom CSR */

    /* ---- identification ---- */
    li gp, 30
    csrr a3, misa
    srli a4, a3, 62
    CHECK 30, a4, 2                                  /* MXL = 64 */
    li a5, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
    and a4, a3, a5
    CHECKR 31, a4, a5                                /* I M A F D C S U */
    csrr a3, mhartid
    ld a4, HB_HARTID(tp)
    CHECKR 32, a3, a4

    /* ---- fflags / frm / fcsr ---- */
    li gp, 33
    csrwi fcsr, 0
    csrwi fflags, 0x15
    csrwi frm, 6
    csrr a3, fcsr
    CHECK 33, a3, (6 << 5) | 0x15
    li a1, 0xa3
    csrrw a3, fcsr, a1
    CHECK 34, a3, (6 << 5) | 0x15
    csrr a3, frm
    CHECK 35, a3, 5
    csrr a3, fflags
    CHECK 36, a3, 3
    csrrsi a3, fflags, 0x1c
    csrr a3, fcsr
    CHECK 37, a3, 0xbf
    csrwi fcsr, 0

    /* ---- counters advance ---- */
    li gp, 38
    rdcycle a1
    DELAY 1000
    rdcycle a2
    CHECK_LTU 38, a1, a2
    rdinstret a1
    DELAY 1000
    rdinstret a2
    CHECK_LTU 39, a1, a2
    sub a3, a2, a1
    li a4, 1000
    CHECK_LTU 40, a4, a3                             /* >= 2000 instructions retired */
    rdtime a1
    DELAY 1000
    rdtime a2
    CHECK_LTU 41, a1, a2
    /* time is mtime */
    li a5, CLINT_MTIME
    ld a1, 0(a5)
    rdtime a2
    ld a3, 0(a5)
    addi a3, a3, 1
    CHECK_LTU 42, a2, a3                             /* time <= mtime read after */
    addi a2, a2, 1
    CHECK_LTU 43, a1, a2                             /* mtime read before <= time */
    csrr a1, mcycle
    csrr a2, cycle
    CHECK_LTU 44, a1, a2
    csrr a1, minstret
    DELAY 10
    csrr a2, instret
    CHECK_LTU 45, a1, a2
    /* minstret is writable */
    li a1, 1000
    csrw minstret, a1
    csrr a2, minstret
    addi a1, a1, -1
    CHECK_LTU 46, a1, a2
    li a1, 1000 + 10000000
    CHECK_LTU 47, a2, a1

    /* ---- mcounteren / scounteren gate cycle, time, instret ---- */
    li gp, 48
    csrw mcounteren, zero
    csrw scounteren, zero
    GO_S
    TEST_ILLEGAL 48, 3, rdcycle a3
    CHECK_TPRIV  48, 1
    TEST_ILLEGAL 49, 3, rdtime a3
    TEST_ILLEGAL 50, 3, rdinstret a3
    GO_M
    li a1, 7
    csrw mcounteren, a1
    GO_S
    TEST_NOEXC 51, rdcycle a3
    TEST_NOEXC 52, rdtime a3
    TEST_NOEXC 53, rdinstret a3
    GO_M
    GO_U
    TEST_ILLEGAL 54, 3, rdcycle a3
    CHECK_TPRIV  54, 0
    TEST_ILLEGAL 55, 3, rdtime a3
    TEST_ILLEGAL 56, 3, rdinstret a3
    GO_M
    li a1, 2
    csrw mcounteren, a1                              /* TM only */
    li a1, 5
    csrw scounteren, a1                              /* CY and IR, but M withholds them */
    GO_S
    TEST_NOEXC 57, rdtime a3
    TEST_ILLEGAL 58, 3, rdcycle a3
    TEST_NOEXC 59, csrr a3, scounteren               /* S owns scounteren */
    CHECK 60, a3, 5
    GO_M
    GO_U
    TEST_ILLEGAL 61, 3, rdtime a3                    /* scounteren.TM = 0 */
    TEST_ILLEGAL 62, 3, rdcycle a3                   /* mcounteren.CY = 0 */
    GO_M
    li a1, 7
    csrw mcounteren, a1
    csrw scounteren, a1
    GO_U
    TEST_NOEXC 63, rdcycle a3
    TEST_NOEXC 64, rdtime a3
    TEST_NOEXC 65, rdinstret a3
    /* U-mode cannot reach S or M CSRs */
    TEST_ILLEGAL 66, 3, csrr a3, sstatus
    TEST_ILLEGAL 67, 3, csrr a3, mstatus
    TEST_ILLEGAL 68, 3, csrw scounteren, zero
    GO_M
    GO_S
    TEST_ILLEGAL 69, 3, csrr a3, mstatus
    CHECK_TPRIV  69, 1
    TEST_ILLEGAL 70, 3, csrr a3, mscratch
    TEST_ILLEGAL 71, 3, csrw mcounteren, zero
    TEST_NOEXC   72, csrr a3, sscratch
    GO_M

    /* ---- Sstc: menvcfg.STCE and stimecmp drive mip.STIP ---- */
    li gp, 73
    li a1, 1
    slli a1, a1, STCE_BIT
    csrs menvcfg, a1
    csrr a3, menvcfg
    srli a3, a3, STCE_BIT
    CHECK 73, a3, 1
    li a1, -1
    csrw stimecmp, a1                                /* far future */
    csrr a3, stimecmp
    CHECK 74, a3, -1
    csrr a3, mip
    andi a3, a3, MIP_STIP
    CHECK 75, a3, 0
    csrw stimecmp, zero                              /* in the past */
    csrr a3, mip
    andi a3, a3, MIP_STIP
    CHECK 76, a3, MIP_STIP
    li a1, MIP_STIP
    csrc mip, a1                                     /* read-only while STCE = 1 */
    csrr a3, mip
    andi a3, a3, MIP_STIP
    CHECK 77, a3, MIP_STIP
    rdtime a1
    li a2, 20000                                     /* 2 ms ahead */
    add a1, a1, a2
    csrw stimecmp, a1
    csrr a3, mip
    andi a3, a3, MIP_STIP
    CHECK 78, a3, 0
    /* wait for time to pass stimecmp (bounded by 0.5 s of time) */
    li a4, 5000000
    add a4, a4, a1
1:  csrr a3, mip
    andi a3, a3, MIP_STIP
    bnez a3, 2f
    rdtime a5
    bltu a5, a4, 1b
2:  CHECK 79, a3, MIP_STIP
    li a1, -1
    csrw stimecmp, a1
    csrr a3, mip
    andi a3, a3, MIP_STIP
    CHECK 80, a3, 0
    /* S-mode access to stimecmp: needs STCE and mcounteren.TM */
    li a1, 7
    csrw mcounteren, a1
    GO_S
    TEST_NOEXC 81, csrr a3, stimecmp
    CHECK 82, a3, -1
    GO_M
    li a1, 2
    csrc mcounteren, a1
    GO_S
    TEST_ILLEGAL 83, 3, csrr a3, stimecmp
    GO_M
    li a1, 2
    csrs mcounteren, a1
    li a1, 1
    slli a1, a1, STCE_BIT
    csrc menvcfg, a1
    GO_S
    TEST_ILLEGAL 84, 3, csrr a3, stimecmp
    GO_M
    /* with STCE = 0, STIP is writable by M again */
    li a1, MIP_STIP
    csrs mip, a1
    csrr a3, mip
    andi a3, a3, MIP_STIP
    CHECK 85, a3, MIP_STIP
    csrc mip, a1
    csrr a3, mip
    andi a3, a3, MIP_STIP
    CHECK 86, a3, 0
    TEST_END
