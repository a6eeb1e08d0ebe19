/* Page tables for the C programs: PTE bits, a pool of zeroed 4 KiB tables
   and the encoders of table and leaf entries.  A program that needs more
   than the default number of tables defines PT_POOL before the include. */
#ifndef ISA_PT_H
#define ISA_PT_H
#include "test_c.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)

#ifndef PT_POOL
#define PT_POOL 8
#endif

typedef u64 pt_table_t[512];
static pt_table_t pt_pool[PT_POOL] __attribute__((aligned(4096)));
static int pt_pool_used;

/* the next unused table of the pool, all entries 0 */
static inline u64 *new_table(void)
{
    u64 *t = pt_pool[pt_pool_used++];
    for (int i = 0; i < 512; i++)
        t[i] = 0;
    return t;
}

static inline u64 pte_table(u64 *t) { return (((u64)t >> 12) << 10) | PTE_V; }
static inline u64 pte_leaf(u64 pa, u64 flags) { return ((pa >> 12) << 10) | flags; }
static inline u64 *pte_to_table(u64 pte) { return (u64 *)((pte >> 10) << 12); }

#endif
