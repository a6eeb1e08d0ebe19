/* Exit path: an unexpected trap (illegal instruction in U, no handler) at check 3 ends with gp | 1337. */
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    li TESTNUM, 3
    .word 0x1234500b
    TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
RVTEST_DATA_END
