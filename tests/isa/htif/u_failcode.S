/* Exit path: a failing check number 7 ends the run with HTIF code (7 << 1) | 1, exit code 7. */
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    CHECK(2, a0, 1, li a0, 1)
    CHECK(7, a0, 1, li a0, 2)
    TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
RVTEST_DATA_END
