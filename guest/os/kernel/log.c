/* Write-ahead log, as xv6's: a system call's block writes form one
 * transaction. At its end the changed blocks are written to the log area,
 * then the log header (the commit point), then to their homes, then the
 * header is cleared. After a crash, boot replays a committed log and ignores
 * an uncommitted one, so the file system always holds whole system calls. */
#include "kernel.h"

#define LOGSIZE 30          /* blocks a transaction may change */

struct logheader {
    uint32_t n;
    uint32_t block[LOGSIZE];
};

static struct {
    uint32_t start;         /* header block; log blocks follow */
    uint32_t size;
    int outstanding;        /* nested begin_op calls */
    struct logheader lh;    /* the current transaction's blocks */
} log;

uint64_t log_commits;

/* Runs at commit and recovery: copy the logged blocks to their homes. */
static void install(int from_disk)
{
    for (uint32_t i = 0; i < log.lh.n; i++) {
        struct buf *dst = bread(log.lh.block[i]);
        if (from_disk) {
            struct buf *src = bread(log.start + 1 + i);
            memcpy(dst->data, src->data, BSIZE);
            brelse(src);
        }
        bwrite(dst);
        if (!from_disk)
            dst->pinned = 0;
        brelse(dst);
    }
}

/* Runs at commit and recovery: the header block from/to the in-memory copy. */
static void write_head(void)
{
    struct buf *b = bread(log.start);
    memcpy(b->data, &log.lh, sizeof log.lh);
    bwrite(b);
    brelse(b);
}

/* Runs once at mount: replay a committed transaction left by a crash. */
void log_init(uint32_t start, uint32_t size)
{
    if (sizeof(struct logheader) > BSIZE || size < LOGSIZE + 1)
        panic("log_init: log too small");
    log.start = start;
    log.size = size;
    struct buf *b = bread(start);
    memcpy(&log.lh, b->data, sizeof log.lh);
    brelse(b);
    if (log.lh.n > LOGSIZE)
        log.lh.n = 0;           /* not a header we wrote: nothing to replay */
    if (log.lh.n && disk_read_only()) {
        printf("OS: fs log: %u committed blocks not replayed (read-only disk)\n", log.lh.n);
        log.lh.n = 0;
    } else if (log.lh.n) {
        printf("OS: fs log: replaying %u committed blocks\n", log.lh.n);
        install(1);
        log.lh.n = 0;
        write_head();
    }
}

/* Runs at the start of every file-system system call. */
void begin_op(void)
{
    log.outstanding++;
}

/* Runs at the end of every file-system system call: the outermost one commits. */
void end_op(void)
{
    if (--log.outstanding > 0 || log.lh.n == 0)
        return;
    for (uint32_t i = 0; i < log.lh.n; i++) {      /* 1. the blocks into the log */
        struct buf *from = bread(log.lh.block[i]);
        struct buf *to = bread(log.start + 1 + i);
        memcpy(to->data, from->data, BSIZE);
        bwrite(to);
        brelse(to);
        brelse(from);
    }
    write_head();                                   /* 2. commit point */
    install(0);                                     /* 3. blocks home */
    log.lh.n = 0;
    write_head();                                   /* 4. log empty again */
    log_commits++;
}

/* Runs instead of bwrite inside a transaction: remember the block (pinned in
 * the cache) so that commit writes it through the log. */
void log_write(struct buf *b)
{
    if (log.outstanding < 1)
        panic("log_write outside a transaction");
    for (uint32_t i = 0; i < log.lh.n; i++)
        if (log.lh.block[i] == b->blockno)
            return;                                 /* absorbed */
    if (log.lh.n >= LOGSIZE)
        panic("transaction too big");
    log.lh.block[log.lh.n++] = b->blockno;
    b->pinned = 1;
}
