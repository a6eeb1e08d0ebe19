/* Block cache: BSIZE-byte blocks (two sectors) of the disk, least recently
 * used recycled first. The kernel runs one system call at a time with
 * interrupts off, so a block is never wanted by two users at once; blocks of
 * an uncommitted transaction are pinned until the log has written them. */
#include "kernel.h"

#define NBUF 48
#define SPB (BSIZE / 512)

static struct buf bufs[NBUF];
static uint64_t lru_clock;
static int have_disk;

/* Runs once at boot: find the disk. */
int disk_init(void)
{
    int r = virtio_blk_init();
    have_disk = r == 0;
    return r == 0 ? 1 : (r == -1 ? 0 : -1);
}

/* Runs at mount and format: the disk's size in blocks. */
uint32_t disk_blocks(void)
{
    return have_disk ? (uint32_t)(virtio_blk_capacity() / SPB) : 0;
}

/* Runs at mount: a write-protected disk is mounted but never written. */
int disk_read_only(void)
{
    return virtio_blk_read_only();
}

/* Runs wherever the file system needs a block: the cached copy, read if needed. */
struct buf *bread(uint32_t blockno)
{
    struct buf *b = 0, *victim = 0;
    for (int i = 0; i < NBUF; i++) {
        if (bufs[i].valid && bufs[i].blockno == blockno) {
            b = &bufs[i];
            break;
        }
        if (bufs[i].refcnt == 0 && !bufs[i].pinned && (!victim || bufs[i].lru < victim->lru))
            victim = &bufs[i];
    }
    if (!b) {
        if (!victim)
            panic("bread: no free buffers");
        b = victim;
        b->blockno = blockno;
        b->valid = 0;
    }
    if (!b->valid) {
        if (virtio_blk_rw((uint64_t)blockno * SPB, b->data, SPB, 0) < 0)
            panic("disk read error, block %u", blockno);
        b->valid = 1;
    }
    b->refcnt++;
    b->lru = ++lru_clock;
    return b;
}

/* Runs in the log (commit and recovery): the block goes to its place on the disk. */
void bwrite(struct buf *b)
{
    if (virtio_blk_rw((uint64_t)b->blockno * SPB, b->data, SPB, 1) < 0)
        panic("disk write error, block %u", b->blockno);
}

/* Runs when a user of a block is done with it. */
void brelse(struct buf *b)
{
    if (b->refcnt <= 0)
        panic("brelse");
    b->refcnt--;
}

/* Runs in the selftest program (disktest system call): write two patterns to
 * sector 1, which the file system never uses, read each back and restore the
 * sector. Skipped unless our file system is on the disk (a foreign disk is
 * never written). */
int disk_selftest(void)
{
    static uint8_t save[512], pattern[512], back[512];
    if (!fs_mounted() || disk_read_only())
        return 0;
    if (virtio_blk_rw(1, save, 1, 0) < 0)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 512; i++)
            pattern[i] = (uint8_t)((i * 7 + 0x5a) ^ (pass ? 0xff : 0x00));
        memset(back, 0, sizeof back);
        if (virtio_blk_rw(1, pattern, 1, 1) < 0 || virtio_blk_rw(1, back, 1, 0) < 0 ||
            memcmp(back, pattern, 512) != 0)
            return -1;
    }
    return virtio_blk_rw(1, save, 1, 1) < 0 ? -1 : 1;
}
