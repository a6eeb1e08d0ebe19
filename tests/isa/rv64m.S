/* RV64M: multiply, divide and remainder, including division by zero and overflow. */
#include "test.h"

TEST_BEGIN
    TEST_RR   1, mul,    0x000000000000002a, 0x0000000000000007, 0x0000000000000006
    TEST_RR   2, mul,    0xffffffffffffffd6, 0xfffffffffffffff9, 0x0000000000000006
    TEST_RR   3, mul,    0xfffffffffffffffe, 0x7fffffffffffffff, 0x0000000000000002
    TEST_RR   4, mul,    0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR   5, mul,    0x2236d88fe5618cf0, 0x123456789abcdef0, 0x0fedcba987654321
    TEST_RR   6, mul,    0x0000000000000001, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR   7, mulh,   0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR   8, mulh,   0x4000000000000000, 0x8000000000000000, 0x8000000000000000
    TEST_RR   9, mulh,   0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR  10, mulh,   0xffffffffffffffff, 0xfffffffffffffffe, 0x0000000000000003
    TEST_RR  11, mulh,   0x0121fa00ad77d742, 0x123456789abcdef0, 0x0fedcba987654321
    TEST_RR  12, mulh,   0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR  13, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR  14, mulhsu, 0xffffffffffffffff, 0xfffffffffffffffe, 0x0000000000000003
    TEST_RR  15, mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR  16, mulhsu, 0x0000000000000004, 0x0000000000000005, 0xffffffffffffffff
    TEST_RR  17, mulhu,  0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR  18, mulhu,  0x0000000000000001, 0x8000000000000000, 0x0000000000000002
    TEST_RR  19, mulhu,  0x0121fa00ad77d742, 0x123456789abcdef0, 0x0fedcba987654321
    TEST_RR  20, mulhu,  0x0000000000000000, 0x0000000000000003, 0x0000000000000005
    TEST_RR  21, mulw,   0xfffffffffffffffe, 0x000000007fffffff, 0x0000000000000002
    TEST_RR  22, mulw,   0x000000000000000f, 0x0000000100000003, 0x0000000100000005
    TEST_RR  23, mulw,   0x0000000000000001, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR  24, mulw,   0xffffffff80000000, 0x0000000080000000, 0x00000000ffffffff
    TEST_RR  25, mulw,   0x00000000242d2080, 0x0000000012345678, 0x000000009abcdef0
    TEST_RR  26, div,    0x0000000000000003, 0x0000000000000014, 0x0000000000000006
    TEST_RR  27, div,    0xfffffffffffffffd, 0xffffffffffffffec, 0x0000000000000006
    TEST_RR  28, div,    0xfffffffffffffffd, 0x0000000000000014, 0xfffffffffffffffa
    TEST_RR  29, div,    0x0000000000000003, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR  30, div,    0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000000
    TEST_RR  31, div,    0xffffffffffffffff, 0x0000000000003039, 0x0000000000000000
    TEST_RR  32, div,    0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR  33, div,    0x8000000000000000, 0x8000000000000000, 0x0000000000000001
    TEST_RR  34, divu,   0x0000000000000003, 0x0000000000000014, 0x0000000000000006
    TEST_RR  35, divu,   0x2aaaaaaaaaaaaaa7, 0xffffffffffffffec, 0x0000000000000006
    TEST_RR  36, divu,   0xffffffffffffffff, 0x0000000000000005, 0x0000000000000000
    TEST_RR  37, divu,   0x0000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR  38, divu,   0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000001
    TEST_RR  39, rem,    0x0000000000000002, 0x0000000000000014, 0x0000000000000006
    TEST_RR  40, rem,    0xfffffffffffffffe, 0xffffffffffffffec, 0x0000000000000006
    TEST_RR  41, rem,    0x0000000000000002, 0x0000000000000014, 0xfffffffffffffffa
    TEST_RR  42, rem,    0xfffffffffffffffe, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR  43, rem,    0x0000000000003039, 0x0000000000003039, 0x0000000000000000
    TEST_RR  44, rem,    0xfffffffffffffff9, 0xfffffffffffffff9, 0x0000000000000000
    TEST_RR  45, rem,    0x0000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR  46, remu,   0x0000000000000002, 0x0000000000000014, 0x0000000000000006
    TEST_RR  47, remu,   0x0000000000000002, 0xffffffffffffffec, 0x0000000000000006
    TEST_RR  48, remu,   0xfffffffffffffff9, 0xfffffffffffffff9, 0x0000000000000000
    TEST_RR  49, remu,   0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR  50, divw,   0x0000000000000003, 0x0000000000000014, 0x0000000000000006
    TEST_RR  51, divw,   0xfffffffffffffffd, 0xffffffffffffffec, 0x0000000000000006
    TEST_RR  52, divw,   0x0000000000000003, 0x0000000100000014, 0x0000000200000006
    TEST_RR  53, divw,   0xffffffffffffffff, 0x0000000000000007, 0x0000000000000000
    TEST_RR  54, divw,   0xffffffff80000000, 0xffffffff80000000, 0xffffffffffffffff
    TEST_RR  55, divw,   0xffffffff80000000, 0x0000000080000000, 0x00000000ffffffff
    TEST_RR  56, divw,   0xffffffff80000000, 0x0000000080000000, 0x0000000000000001
    TEST_RR  57, divuw,  0x0000000000000003, 0x0000000000000014, 0x0000000000000006
    TEST_RR  58, divuw,  0x000000007ffffff8, 0x00000000fffffff0, 0x0000000000000002
    TEST_RR  59, divuw,  0xffffffffffffffff, 0x00000000ffffffff, 0x0000000000000001
    TEST_RR  60, divuw,  0xffffffffffffffff, 0x0000000000000009, 0x0000000000000000
    TEST_RR  61, divuw,  0x0000000000000000, 0x0000000080000000, 0x00000000ffffffff
    TEST_RR  62, remw,   0x0000000000000002, 0x0000000000000014, 0x0000000000000006
    TEST_RR  63, remw,   0xfffffffffffffffe, 0xffffffffffffffec, 0x0000000000000006
    TEST_RR  64, remw,   0xffffffff80000005, 0x0000000080000005, 0x0000000000000000
    TEST_RR  65, remw,   0x0000000000000000, 0xffffffff80000000, 0xffffffffffffffff
    TEST_RR  66, remw,   0xffffffffffffffff, 0x00000001ffffffff, 0x0000000100000003
    TEST_RR  67, remuw,  0x0000000000000002, 0x0000000000000014, 0x0000000000000006
    TEST_RR  68, remuw,  0xfffffffffffffff5, 0x00000000fffffff5, 0x0000000100000000
    TEST_RR  69, remuw,  0xffffffff80000005, 0x0000000080000005, 0x0000000000000000
    TEST_RR  70, remuw,  0x0000000000000003, 0x00000000ffffffff, 0x0000000000000007
    /* operand registers shared with the destination */
    TEST_RR_SRC1 71, mul, 42, 6, 7
    TEST_RR_SRC2 72, divu, 3, 21, 7
    TEST_RR_SAME 73, mulhu, 0xfffffffffffffffe, -1
    TEST_RR_SAME 74, rem, 0, -9
    TEST_RR_SAME 75, div, 1, -9
    TEST_RR_X0   76, mul, 3, 4
    TEST_RR_X0   77, div, 3, 0
    TEST_END
