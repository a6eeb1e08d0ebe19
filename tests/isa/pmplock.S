/* PMP locking (priv spec, "Locking and Privilege Mode"): when entry i is
   locked, writes to its pmpcfg field and to pmpaddr i are ignored; when it
   is locked and its A field is TOR, writes to pmpaddr i-1 are ignored too.
   The locked entries here grant R/W/X over low addresses nothing uses, so
   they restrict nothing even where PMP is enforced.  Locks last until
   reset, which is why this is a program of its own. */
#include "test.h"

#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_TOR   0x08
#define PMP_NAPOT 0x18
#define PMP_L     0x80
#define RWX       (PMP_R | PMP_W | PMP_X)

/* byte k of pmpcfg register into reg */
.macro CFG_BYTE reg, csr, k
    csrr \reg, \csr
    srli \reg, \reg, (8 * \k)
    andi \reg, \reg, 0xff
.endm

TEST_BEGIN
    /* keep entry 0 (NAPOT over everything, set up at start) as it is */
    csrr s0, pmpcfg0
    andi s0, s0, 0xff

    /* ---- entry 3: TOR [0x400, 0x800), RWX, locked ---- */
    li gp, 1
    li a1, 0x400 >> 2
    csrw pmpaddr2, a1
    li a1, 0x800 >> 2
    csrw pmpaddr3, a1
    li a1, (PMP_L | PMP_TOR | RWX) << 24
    or a1, a1, s0
    csrw pmpcfg0, a1
    CFG_BYTE a3, pmpcfg0, 3
    CHECK 1, a3, PMP_L | PMP_TOR | RWX
    /* the locked entry's own address ignores writes */
    li a1, 0x900 >> 2
    csrw pmpaddr3, a1
    csrr a3, pmpaddr3
    CHECK 2, a3, 0x800 >> 2
    /* and so does the address below it, the bottom of the TOR range */
    li a1, 0x500 >> 2
    csrw pmpaddr2, a1
    csrr a3, pmpaddr2
    CHECK 3, a3, 0x400 >> 2
    /* the locked entry's configuration ignores writes; entry 2's does not */
    li a1, (PMP_R << 16)
    or a1, a1, s0
    csrw pmpcfg0, a1
    CFG_BYTE a3, pmpcfg0, 3
    CHECK 4, a3, PMP_L | PMP_TOR | RWX
    CFG_BYTE a3, pmpcfg0, 2
    CHECK 5, a3, PMP_R
    /* an address two below the locked entry is free */
    li a1, 0x300 >> 2
    csrw pmpaddr1, a1
    csrr a3, pmpaddr1
    CHECK 6, a3, 0x300 >> 2

    /* ---- entry 6: NAPOT, locked: only its own address is locked ---- */
    li gp, 7
    li a1, (0xc00 >> 2) | 0x7f                      /* NAPOT: 1 KiB at 0xc00 */
    csrw pmpaddr6, a1
    csrr s1, pmpaddr6
    li a1, (PMP_L | PMP_NAPOT | RWX) << 48
    csrr a2, pmpcfg0
    or a1, a1, a2
    csrw pmpcfg0, a1
    CFG_BYTE a3, pmpcfg0, 6
    CHECK 7, a3, PMP_L | PMP_NAPOT | RWX
    li a1, 0x1234
    csrw pmpaddr5, a1
    csrr a3, pmpaddr5
    CHECK 8, a3, 0x1234                             /* NAPOT does not lock i-1 */
    li a1, 0x5678
    csrw pmpaddr6, a1
    csrr a3, pmpaddr6
    CHECKR 9, a3, s1

    /* ---- entry 8 (first entry of pmpcfg2): TOR, locked: locks pmpaddr7 ---- */
    li gp, 10
    li a1, 0x1000 >> 2
    csrw pmpaddr7, a1
    li a1, 0x1000 >> 2
    csrw pmpaddr8, a1                               /* empty range [0x1000, 0x1000) */
    csrr a2, pmpcfg2
    andi a2, a2, -256
    ori a1, a2, PMP_L | PMP_TOR | RWX
    csrw pmpcfg2, a1
    CFG_BYTE a3, pmpcfg2, 0
    CHECK 10, a3, PMP_L | PMP_TOR | RWX
    li a1, 0x2000 >> 2
    csrw pmpaddr7, a1
    csrr a3, pmpaddr7
    CHECK 11, a3, 0x1000 >> 2
    csrw pmpaddr8, a1
    csrr a3, pmpaddr8
    CHECK 12, a3, 0x1000 >> 2
TEST_END
