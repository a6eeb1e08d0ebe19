/* On-disk layout of the file system (xv6's, with BSIZE-byte blocks):
 *   [ 0 unused | 1 superblock | log header + log | inodes | free bitmap | data ] */
#ifndef FS_H
#define FS_H

#include <stdint.h>

#define FS_MAGIC  0x53465652    /* "RVFS" */
#define ROOTINO   1
#define NDIRECT   12
#define NINDIRECT (BSIZE / 4)
#define MAXFILE   (NDIRECT + NINDIRECT)
#define NINODES   512
#define LOGBLOCKS 31            /* header + LOGSIZE */

struct superblock {
    uint32_t magic;
    uint32_t size;              /* blocks in the file system */
    uint32_t nblocks;           /* data blocks */
    uint32_t ninodes;
    uint32_t nlog;
    uint32_t logstart, inodestart, bmapstart, datastart;
};

struct dinode {
    int16_t type;               /* 0 = free, T_DIR, T_FILE */
    int16_t major, minor;
    int16_t nlink;
    uint32_t size;
    uint32_t addrs[NDIRECT + 1];
};

#define IPB (BSIZE / sizeof(struct dinode))
#define BPB (BSIZE * 8)

#endif
