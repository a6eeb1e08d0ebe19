/* Block I/O: sector reads/writes on the disk, and the boot-time disk test. */
#include "kernel.h"

#define SECTOR 512
#define TEST_SECTOR 1

static uint8_t buf[SECTOR], pattern[SECTOR];

/* Runs wherever the kernel needs a sector; 0 on success. */
int bread(uint64_t sector, void *dst)
{
    return virtio_blk_rw(sector, dst, 0);
}

/* Runs wherever the kernel writes a sector; 0 on success. */
int bwrite(uint64_t sector, const void *src)
{
    return virtio_blk_rw(sector, (void *)src, 1);
}

/* Runs once at boot: show sector 0, then write two different patterns to the
 * test sector and read each back. Two patterns, so that a sector still holding
 * the previous boot's data cannot make a failed write look like a success. */
int disk_selftest(void)
{
    int r = virtio_blk_init();
    if (r < 0)
        return r == -1 ? 0 : -1;       /* -1: no usable device; other: broken */

    if (bread(0, buf) < 0) {
        printf("OS: disk read error (sector 0)\n");
        return -1;
    }
    printf("OS: disk sector0 ");
    for (int i = 0; i < 16; i++)
        printf("%02x", buf[i]);
    printf("\n");

    if (virtio_blk_capacity() <= TEST_SECTOR) {
        printf("OS: disk too small for the write test\n");
        return -1;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < SECTOR; i++)
            pattern[i] = (uint8_t)((i * 7 + 0x5a) ^ (pass ? 0xff : 0x00));
        memcpy(pattern, pass ? "RVISOR-OS pass 2" : "RVISOR-OS pass 1", 16);
        memset(buf, 0, SECTOR);
        if (bwrite(TEST_SECTOR, pattern) < 0 || bread(TEST_SECTOR, buf) < 0) {
            printf("OS: disk write FAILED (I/O error, sector %d)\n", TEST_SECTOR);
            return -1;
        }
        if (memcmp(buf, pattern, SECTOR) != 0) {
            printf("OS: disk write FAILED (read back differs, sector %d)\n", TEST_SECTOR);
            return -1;
        }
    }
    printf("OS: disk write ok (sector %d written and verified twice)\n", TEST_SECTOR);
    return 1;
}
