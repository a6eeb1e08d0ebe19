/* Exit path: RVTEST_PASS from S-mode (an ecall from S caught by the trap vector). */
#define TEST_PRIV 1
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    CHECK(2, a0, 1, csrr a0, sstatus; li a0, 1)
    TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
RVTEST_DATA_END
