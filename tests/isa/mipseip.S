/* mip.SEIP: the bit read is the software-writable SEIP bit or-ed with the
   external interrupt line from the PLIC, but a CSRRS/CSRRC of mip uses only
   the software-writable bit in its read-modify-write (priv spec, machine
   interrupt registers mip/mie: "only the software-writable SEIP bit
   participates in the read-modify-write sequence of a CSRRS or CSRRC").
   The line is the UART's THR-empty interrupt routed to PLIC context 1
   (S-mode of hart 0).  No interrupt is enabled: mie = 0 throughout. */
#include "test.h"

#define MIP_SSIP (1 << IRQ_SSI)
#define MIP_STIP (1 << IRQ_STI)
#define MIP_SEIP (1 << IRQ_SEI)

#define PLIC_PRIO_UART   (0x0c000000 + 4 * 10)
#define PLIC_ENABLE_S0   0x0c002080
#define PLIC_THRESH_S0   0x0c201000
#define PLIC_CLAIM_S0    0x0c201004
#define UART_IER         (UART_BASE + 1)

/* mip & mask == exp */
.macro MIP_IS n, mask, exp
    csrr t5, mip
    li t6, \mask
    and t5, t5, t6
    CHECK \n, t5, \exp
.endm

/* raise the external S-level line */
.macro LINE_HIGH
    li t0, PLIC_PRIO_UART
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_THRESH_S0
    sw zero, 0(t0)
    li t0, PLIC_ENABLE_S0
    li t1, (1 << 10)
    sw t1, 0(t0)
    li t0, UART_IER
    li t1, 2
    sb t1, 0(t0)
    fence
.endm

/* drop it again */
.macro LINE_LOW
    li t0, UART_IER
    sb zero, 0(t0)
    li t0, PLIC_CLAIM_S0
    lw t1, 0(t0)
    beqz t1, .Lnone\@
    sw t1, 0(t0)
.Lnone\@:
    li t0, PLIC_ENABLE_S0
    sw zero, 0(t0)
    fence
.endm

TEST_BEGIN
    csrw mie, zero
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
    csrw mip, zero
    MIP_IS 1, MIP_SEIP, 0
    LINE_HIGH
    MIP_IS 2, MIP_SEIP, MIP_SEIP                    /* the line shows in mip */

    /* csrs/csrc of other bits while the line is high must not latch SEIP */
    li a1, MIP_SSIP
    csrs mip, a1
    MIP_IS 3, MIP_SSIP | MIP_SEIP, MIP_SSIP | MIP_SEIP
    csrc mip, a1
    li a1, MIP_STIP
    csrs mip, a1
    csrc mip, a1
    MIP_IS 4, MIP_SSIP | MIP_STIP | MIP_SEIP, MIP_SEIP
    LINE_LOW
    MIP_IS 5, MIP_SEIP, 0                           /* software SEIP still 0 */
    csrw mip, zero                                  /* csrw writes it outright */

    /* csrrs/csrrc with rs1 = x0 do not write at all */
    LINE_HIGH
    csrrs a3, mip, zero
    csrrc a3, mip, zero
    csrrsi a3, mip, 0
    LINE_LOW
    MIP_IS 6, MIP_SEIP, 0
    csrw mip, zero

    /* the software bit alone */
    li a1, MIP_SEIP
    csrs mip, a1
    MIP_IS 7, MIP_SEIP, MIP_SEIP
    csrc mip, a1
    MIP_IS 8, MIP_SEIP, 0

    /* line high + software bit set: clearing the software bit leaves the
       line visible; dropping the line then leaves nothing */
    LINE_HIGH
    li a1, MIP_SEIP
    csrs mip, a1
    csrc mip, a1
    MIP_IS 9, MIP_SEIP, MIP_SEIP
    LINE_LOW
    MIP_IS 10, MIP_SEIP, 0

    /* software bit set, line high, then a csrc of SSIP: the software bit
       stays 1 (it is the only SEIP state written back) */
    li a1, MIP_SEIP
    csrs mip, a1
    LINE_HIGH
    li a2, MIP_SSIP
    csrc mip, a2
    LINE_LOW
    MIP_IS 11, MIP_SEIP, MIP_SEIP
    csrc mip, a1
    MIP_IS 12, MIP_SEIP, 0

    /* the value a csrrs returns is the or-ed view (line high, software 0) */
    LINE_HIGH
    li a2, MIP_SSIP
    csrrs a3, mip, a2
    andi a3, a3, MIP_SEIP
    CHECK 13, a3, MIP_SEIP
    csrrc a3, mip, a2
    LINE_LOW
    MIP_IS 14, MIP_SEIP | MIP_SSIP, 0
TEST_END
