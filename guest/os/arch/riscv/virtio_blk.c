/* virtio-blk over the virtio-mmio transport, modern interface (version 2).
 * One split virtqueue; a request is a chain of three descriptors (header,
 * data, status byte). Completion is polled: the kernel runs with interrupts
 * off, one request at a time, and polling keeps the driver short. The slots
 * come from the device tree. */
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

/* virtio-mmio registers (virtio 1.x spec, 4.2.2) */
#define MAGIC          0x000
#define VERSION        0x004
#define DEVICE_ID      0x008
#define DEV_FEATURES   0x010
#define DEV_FEAT_SEL   0x014
#define DRV_FEATURES   0x020
#define DRV_FEAT_SEL   0x024
#define QUEUE_SEL      0x030
#define QUEUE_NUM_MAX  0x034
#define QUEUE_NUM      0x038
#define QUEUE_READY    0x044
#define QUEUE_NOTIFY   0x050
#define INT_STATUS     0x060
#define INT_ACK        0x064
#define STATUS         0x070
#define QUEUE_DESC     0x080
#define QUEUE_DRIVER   0x090
#define QUEUE_DEVICE   0x0a0
#define CONFIG         0x100    /* virtio-blk: u64 capacity in 512-byte sectors */

#define ST_ACKNOWLEDGE 1
#define ST_DRIVER      2
#define ST_DRIVER_OK   4
#define ST_FEATURES_OK 8

#define F_VERSION_1_HI (1u << 0)   /* feature bit 32: the modern interface */
#define BLK_F_RO       (1u << 5)

#define VIRTIO_ID_BLOCK 2
#define QSZ 8

#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2       /* device writes this buffer */

struct vq_desc { uint64_t addr; uint32_t len; uint16_t flags; uint16_t next; };
struct vq_avail { uint16_t flags; uint16_t idx; uint16_t ring[QSZ]; uint16_t used_event; };
struct vq_used_elem { uint32_t id; uint32_t len; };
struct vq_used { uint16_t flags; uint16_t idx; struct vq_used_elem ring[QSZ]; uint16_t avail_event; };

struct blk_req_hdr { uint32_t type; uint32_t reserved; uint64_t sector; };
#define BLK_T_IN  0
#define BLK_T_OUT 1

static struct {
    struct vq_desc desc[QSZ] __attribute__((aligned(16)));
    struct vq_avail avail __attribute__((aligned(2)));
    struct vq_used used __attribute__((aligned(4)));
    struct blk_req_hdr hdr;
    volatile uint8_t status;
    uint16_t last_used;
} vq __attribute__((aligned(4096)));

static uint64_t base;       /* MMIO base of the disk's slot, 0 = none */
static uint64_t capacity;
static int read_only;

#define R(off)    MMIO32(base + (off))

/* Runs at init: write a 64-bit queue address as two 32-bit registers. */
static void write64(uint64_t off, uint64_t v)
{
    R(off) = (uint32_t)v;
    R(off + 4) = (uint32_t)(v >> 32);
}

/* Runs once at boot: find a virtio-blk device and bring it up (spec 3.1.1).
 * Returns 0 when a disk is usable, -1 when there is none (or only a legacy
 * one), -2 when the device misbehaves; prints why. */
int virtio_blk_init(void)
{
    int legacy_slot = -1;
    for (int slot = 0; slot < board.nvirtio && !base; slot++) {
        uint64_t b = board.virtio[slot];
        if (MMIO32(b + MAGIC) != 0x74726976 || MMIO32(b + DEVICE_ID) != VIRTIO_ID_BLOCK)
            continue;
        if (MMIO32(b + VERSION) != 2) {
            legacy_slot = legacy_slot < 0 ? slot : legacy_slot;
            continue;
        }
        base = b;
        printf("OS: disk virtio-blk (virtio-mmio v2) at 0x%lx, irq %lu\n", b, board.virtio_irq[slot]);
    }
    if (!base) {
        if (legacy_slot >= 0)
            printf("OS: disk legacy virtio-mmio v1 device at 0x%lx: not supported "
                   "(QEMU: -global virtio-mmio.force-legacy=false)\n", board.virtio[legacy_slot]);
        else
            printf("OS: disk none (no virtio-blk device found)\n");
        return -1;
    }

    R(STATUS) = 0;                                  /* reset */
    R(STATUS) = ST_ACKNOWLEDGE;
    R(STATUS) = ST_ACKNOWLEDGE | ST_DRIVER;
    R(DEV_FEAT_SEL) = 0;
    uint32_t lo = R(DEV_FEATURES);
    R(DEV_FEAT_SEL) = 1;
    uint32_t hi = R(DEV_FEATURES);
    if (!(hi & F_VERSION_1_HI)) {
        printf("OS: disk error: device does not offer VIRTIO_F_VERSION_1\n");
        base = 0;
        return -2;
    }
    read_only = (lo & BLK_F_RO) != 0;
    R(DRV_FEAT_SEL) = 0;
    R(DRV_FEATURES) = lo & BLK_F_RO;                /* nothing optional wanted */
    R(DRV_FEAT_SEL) = 1;
    R(DRV_FEATURES) = F_VERSION_1_HI;
    R(STATUS) = ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK;
    if (!(R(STATUS) & ST_FEATURES_OK)) {
        printf("OS: disk error: device rejected our features\n");
        base = 0;
        return -2;
    }

    R(QUEUE_SEL) = 0;
    if (R(QUEUE_READY) || R(QUEUE_NUM_MAX) < QSZ) {
        printf("OS: disk error: queue 0 unusable (max %d)\n", R(QUEUE_NUM_MAX));
        base = 0;
        return -2;
    }
    R(QUEUE_NUM) = QSZ;
    write64(QUEUE_DESC, (uint64_t)vq.desc);         /* identity-mapped: VA = PA */
    write64(QUEUE_DRIVER, (uint64_t)&vq.avail);
    write64(QUEUE_DEVICE, (uint64_t)&vq.used);
    R(QUEUE_READY) = 1;
    R(STATUS) = ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK;

    capacity = (uint64_t)R(CONFIG) | ((uint64_t)R(CONFIG + 4) << 32);
    printf("OS: disk capacity %lu sectors%s\n", capacity, read_only ? " (read-only)" : "");
    return 0;
}

/* Runs from the block layer: sectors on the disk, 0 if there is none. */
uint64_t virtio_blk_capacity(void)
{
    return base ? capacity : 0;
}

/* Runs from the block layer: is the disk write-protected? */
int virtio_blk_read_only(void)
{
    return read_only;
}

/* Runs from the block layer: transfer nsect 512-byte sectors; 0 on success. */
int virtio_blk_rw(uint64_t sector, void *buf, uint32_t nsect, int write)
{
    if (!base || sector + nsect > capacity || (write && read_only))
        return -1;
    vq.hdr.type = write ? BLK_T_OUT : BLK_T_IN;
    vq.hdr.reserved = 0;
    vq.hdr.sector = sector;
    vq.status = 0xff;

    vq.desc[0] = (struct vq_desc){ (uint64_t)&vq.hdr, sizeof vq.hdr, VRING_DESC_F_NEXT, 1 };
    vq.desc[1] = (struct vq_desc){ (uint64_t)buf, 512 * nsect,
                                   VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE), 2 };
    vq.desc[2] = (struct vq_desc){ (uint64_t)&vq.status, 1, VRING_DESC_F_WRITE, 0 };

    vq.avail.ring[vq.avail.idx % QSZ] = 0;          /* head of the chain */
    __sync_synchronize();                           /* ring entry before idx */
    vq.avail.idx++;
    __sync_synchronize();                           /* idx before the notify */
    R(QUEUE_NOTIFY) = 0;

    while (*(volatile uint16_t *)&vq.used.idx == vq.last_used)
        ;
    __sync_synchronize();
    vq.last_used++;
    R(INT_ACK) = R(INT_STATUS) & 3;                 /* we poll, but keep the line quiet */
    return vq.status == 0 ? 0 : -1;
}
