/* File system: inodes, directories and path names over the block cache and
 * the log (xv6's design). Every change happens inside begin_op/end_op. */
#include "kernel.h"
#include "abi.h"
#include "fs.h"

#define NINODE 48

struct inode {
    uint32_t inum;
    int ref;
    int valid;
    int16_t type, major, minor, nlink;
    uint32_t size;
    uint32_t addrs[NDIRECT + 1];
};

static struct superblock sb;
static int full_reported;       /* "out of blocks" said once until a block is freed */
static struct inode itable[NINODE];
static int mounted;

/* Runs in every allocation: zero a block (inside a transaction). */
static void bzero_block(uint32_t bno)
{
    struct buf *b = bread(bno);
    memset(b->data, 0, BSIZE);
    log_write(b);
    brelse(b);
}

/* Runs when a file grows: a free data block, marked used; 0 when full. */
static uint32_t balloc(void)
{
    for (uint32_t base = 0; base < sb.size; base += BPB) {
        struct buf *b = bread(sb.bmapstart + base / BPB);
        for (uint32_t bi = 0; bi < BPB && base + bi < sb.size; bi++) {
            uint8_t m = (uint8_t)(1 << (bi % 8));
            if ((b->data[bi / 8] & m) == 0) {
                b->data[bi / 8] |= m;
                log_write(b);
                brelse(b);
                bzero_block(base + bi);
                return base + bi;
            }
        }
        brelse(b);
    }
    if (!full_reported++)
        printf("OS: fs: out of blocks (disk full)\n");
    return 0;
}

/* Runs when a file shrinks or goes away: mark block bno free. */
static void bfree(uint32_t bno)
{
    struct buf *b = bread(sb.bmapstart + bno / BPB);
    uint32_t bi = bno % BPB;
    b->data[bi / 8] &= (uint8_t)~(1 << (bi % 8));
    full_reported = 0;
    log_write(b);
    brelse(b);
}

/* Runs for df-like reports: free and total data blocks. */
void fs_stats(uint32_t *free_blocks, uint32_t *total_blocks)
{
    uint32_t used = 0;
    *free_blocks = *total_blocks = 0;
    if (!mounted)
        return;
    for (uint32_t base = 0; base < sb.size; base += BPB) {
        struct buf *b = bread(sb.bmapstart + base / BPB);
        for (uint32_t bi = 0; bi < BPB && base + bi < sb.size; bi++)
            used += (b->data[bi / 8] >> (bi % 8)) & 1;
        brelse(b);
    }
    *total_blocks = sb.size;
    *free_blocks = sb.size - used;
}

/* Runs whenever an inode is wanted: its in-memory copy, read from disk once. */
static struct inode *iget(uint32_t inum)
{
    struct inode *empty = 0;
    for (int i = 0; i < NINODE; i++) {
        struct inode *ip = &itable[i];
        if (ip->ref > 0 && ip->inum == inum) {
            ip->ref++;
            return ip;
        }
        if (!empty && ip->ref == 0)
            empty = ip;
    }
    if (!empty)
        panic("iget: no inodes");
    empty->inum = inum;
    empty->ref = 1;
    empty->valid = 0;
    struct buf *b = bread(sb.inodestart + inum / IPB);
    struct dinode *d = (struct dinode *)b->data + inum % IPB;
    empty->type = d->type;
    empty->major = d->major;
    empty->minor = d->minor;
    empty->nlink = d->nlink;
    empty->size = d->size;
    memcpy(empty->addrs, d->addrs, sizeof d->addrs);
    brelse(b);
    empty->valid = 1;
    return empty;
}

/* Runs after every change to an inode's fields: write it back (logged). */
static void iupdate(struct inode *ip)
{
    struct buf *b = bread(sb.inodestart + ip->inum / IPB);
    struct dinode *d = (struct dinode *)b->data + ip->inum % IPB;
    d->type = ip->type;
    d->major = ip->major;
    d->minor = ip->minor;
    d->nlink = ip->nlink;
    d->size = ip->size;
    memcpy(d->addrs, ip->addrs, sizeof d->addrs);
    log_write(b);
    brelse(b);
}

/* Runs when a file or directory is created: a free on-disk inode of type. */
static struct inode *ialloc(int16_t type)
{
    for (uint32_t inum = 1; inum < sb.ninodes; inum++) {
        struct buf *b = bread(sb.inodestart + inum / IPB);
        struct dinode *d = (struct dinode *)b->data + inum % IPB;
        if (d->type == 0) {
            memset(d, 0, sizeof *d);
            d->type = type;
            log_write(b);
            brelse(b);
            return iget(inum);
        }
        brelse(b);
    }
    printf("OS: fs: out of inodes\n");
    return 0;
}

/* Runs when another reference to ip is taken (fork, open). */
struct inode *idup(struct inode *ip)
{
    ip->ref++;
    return ip;
}

/* Runs when the file system needs block bn of a file: its disk block,
 * allocated on first use; 0 when the disk is full. */
static uint32_t bmap(struct inode *ip, uint32_t bn)
{
    if (bn < NDIRECT) {
        if (!ip->addrs[bn] && (ip->addrs[bn] = balloc()) != 0)
            iupdate(ip);
        return ip->addrs[bn];
    }
    bn -= NDIRECT;
    if (bn >= NINDIRECT)
        return 0;
    if (!ip->addrs[NDIRECT]) {
        if (!(ip->addrs[NDIRECT] = balloc()))
            return 0;
        iupdate(ip);
    }
    struct buf *b = bread(ip->addrs[NDIRECT]);
    uint32_t *a = (uint32_t *)b->data, addr = a[bn];
    if (!addr && (addr = balloc()) != 0) {
        a[bn] = addr;
        log_write(b);
    }
    brelse(b);
    return addr;
}

/* Runs when a file is truncated or its last link goes away: free its blocks. */
void itrunc(struct inode *ip)
{
    for (int i = 0; i < NDIRECT; i++)
        if (ip->addrs[i]) {
            bfree(ip->addrs[i]);
            ip->addrs[i] = 0;
        }
    if (ip->addrs[NDIRECT]) {
        struct buf *b = bread(ip->addrs[NDIRECT]);
        uint32_t *a = (uint32_t *)b->data;
        for (uint32_t j = 0; j < NINDIRECT; j++)
            if (a[j])
                bfree(a[j]);
        brelse(b);
        bfree(ip->addrs[NDIRECT]);
        ip->addrs[NDIRECT] = 0;
    }
    ip->size = 0;
    iupdate(ip);
}

/* Runs when a reference is dropped: the last one of an unlinked inode frees it
 * (inside a transaction). */
void iput(struct inode *ip)
{
    if (ip->ref == 1 && ip->valid && ip->nlink == 0 && ip->type) {
        itrunc(ip);
        ip->type = 0;
        iupdate(ip);
        ip->valid = 0;
    }
    ip->ref--;
}

/* Runs in stat/fstat. */
void stati(struct inode *ip, struct stat *st)
{
    st->type = ip->type;
    st->ino = ip->inum;
    st->nlink = ip->nlink;
    st->size = ip->size;
}

/* Runs in open and exec checks. */
int inode_type(struct inode *ip) { return ip->type; }
uint32_t inode_size(struct inode *ip) { return ip->size; }

/* Runs in read(): copy up to n bytes from offset off; bytes read, -1 on error. */
int readi(struct inode *ip, void *dst, uint32_t off, uint32_t n)
{
    if (off > ip->size || off + n < off)
        return 0;
    if (off + n > ip->size)
        n = ip->size - off;
    uint32_t tot = 0;
    while (tot < n) {
        uint32_t bno = bmap(ip, off / BSIZE);
        if (!bno)
            break;
        struct buf *b = bread(bno);
        uint32_t m = BSIZE - off % BSIZE;
        if (m > n - tot)
            m = n - tot;
        memcpy((uint8_t *)dst + tot, b->data + off % BSIZE, m);
        brelse(b);
        tot += m;
        off += m;
    }
    return (int)tot;
}

/* Runs in write() (inside a transaction): bytes written, -1 on error. */
int writei(struct inode *ip, const void *src, uint32_t off, uint32_t n)
{
    if (off > ip->size || off + n < off)
        return -1;
    if (off + n > MAXFILE * BSIZE)
        return -1;
    uint32_t tot = 0;
    while (tot < n) {
        uint32_t bno = bmap(ip, off / BSIZE);
        if (!bno)
            break;
        struct buf *b = bread(bno);
        uint32_t m = BSIZE - off % BSIZE;
        if (m > n - tot)
            m = n - tot;
        memcpy(b->data + off % BSIZE, (const uint8_t *)src + tot, m);
        log_write(b);
        brelse(b);
        tot += m;
        off += m;
    }
    if (off > ip->size)
        ip->size = off;
    iupdate(ip);
    return (int)tot;
}

/* Runs in path lookup: the entry called name in directory dp (and its offset). */
static struct inode *dirlookup(struct inode *dp, const char *name, uint32_t *poff)
{
    struct dirent de;
    for (uint32_t off = 0; off < dp->size; off += sizeof de) {
        if (readi(dp, &de, off, sizeof de) != sizeof de)
            panic("dirlookup read");
        if (de.inum && strncmp(name, de.name, DIRSIZ) == 0) {
            if (poff)
                *poff = off;
            return iget(de.inum);
        }
    }
    return 0;
}

/* Runs when a name is added to a directory (create, mkdir's "." and ".."). */
static int dirlink(struct inode *dp, const char *name, uint32_t inum)
{
    struct dirent de;
    struct inode *ip = dirlookup(dp, name, 0);
    if (ip) {
        iput(ip);
        return -1;
    }
    uint32_t off;
    for (off = 0; off < dp->size; off += sizeof de) {
        readi(dp, &de, off, sizeof de);
        if (de.inum == 0)
            break;
    }
    memset(&de, 0, sizeof de);
    strncpy(de.name, name, DIRSIZ);
    de.inum = (uint16_t)inum;
    return writei(dp, &de, off, sizeof de) == sizeof de ? 0 : -1;
}

/* Runs in path lookup: copy the next element of path into name; returns the
 * rest of the path, or 0 when there is no element left. */
static const char *skipelem(const char *path, char *name)
{
    while (*path == '/')
        path++;
    if (*path == 0)
        return 0;
    const char *s = path;
    while (*path != '/' && *path != 0)
        path++;
    int len = (int)(path - s);
    if (len >= DIRSIZ)
        len = DIRSIZ;
    memcpy(name, s, (size_t)len);
    if (len < DIRSIZ)
        name[len] = 0;
    while (*path == '/')
        path++;
    return path;
}

/* Runs in namei/nameiparent: walk path from / or the current directory. */
static struct inode *namex(const char *path, int parent, char *name)
{
    if (!mounted)
        return 0;
    struct proc *p = myproc();
    struct inode *ip = (*path == '/' || !p || !p->cwd) ? iget(ROOTINO) : idup(p->cwd);
    while ((path = skipelem(path, name)) != 0) {
        if (ip->type != T_DIR) {
            iput(ip);
            return 0;
        }
        if (parent && *path == 0)
            return ip;                      /* stop one level early */
        struct inode *next = dirlookup(ip, name, 0);
        iput(ip);
        if (!next)
            return 0;
        ip = next;
    }
    if (parent) {
        iput(ip);
        return 0;
    }
    return ip;
}

/* Runs in open, chdir, exec: the inode path names (a reference), or 0. */
struct inode *namei(const char *path)
{
    char name[DIRSIZ];
    return namex(path, 0, name);
}

/* Runs in create and unlink: the parent directory, and the last element in name. */
struct inode *nameiparent(const char *path, char *name)
{
    return namex(path, 1, name);
}

/* Runs in open(O_CREATE) and mkdir (inside a transaction): the new (or, for a
 * file, existing) inode, referenced; 0 on failure. */
struct inode *fs_create(const char *path, short type)
{
    char name[DIRSIZ + 1];
    memset(name, 0, sizeof name);
    struct inode *dp = nameiparent(path, name), *ip;
    if (!dp)
        return 0;
    if ((ip = dirlookup(dp, name, 0)) != 0) {
        iput(dp);
        if (type == T_FILE && ip->type == T_FILE)
            return ip;
        iput(ip);
        return 0;
    }
    if (!(ip = ialloc(type))) {
        iput(dp);
        return 0;
    }
    ip->nlink = 1;
    iupdate(ip);
    if (type == T_DIR) {
        if (dirlink(ip, ".", ip->inum) < 0 || dirlink(ip, "..", dp->inum) < 0)
            goto fail;
        dp->nlink++;                        /* ".." */
        iupdate(dp);
    }
    if (dirlink(dp, name, ip->inum) < 0)
        goto fail;
    iput(dp);
    return ip;
fail:
    ip->nlink = 0;
    iupdate(ip);
    iput(ip);
    iput(dp);
    return 0;
}

/* Runs in unlink (inside a transaction): remove a file or an empty directory. */
int fs_unlink(const char *path)
{
    char name[DIRSIZ + 1];
    memset(name, 0, sizeof name);
    struct inode *dp = nameiparent(path, name);
    if (!dp)
        return -1;
    uint32_t off;
    struct inode *ip;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || !(ip = dirlookup(dp, name, &off))) {
        iput(dp);
        return -1;
    }
    if (ip->type == T_DIR) {
        struct dirent de;
        for (uint32_t o = 2 * sizeof de; o < ip->size; o += sizeof de) {
            readi(ip, &de, o, sizeof de);
            if (de.inum) {
                iput(ip);
                iput(dp);
                return -2;                  /* not empty */
            }
        }
    }
    struct dirent de;
    memset(&de, 0, sizeof de);
    writei(dp, &de, off, sizeof de);
    if (ip->type == T_DIR) {
        dp->nlink--;
        iupdate(dp);
    }
    iput(dp);
    ip->nlink--;
    iupdate(ip);
    iput(ip);
    return 0;
}

/* Runs at boot on a blank disk: write an empty file system (root directory
 * only). The superblock goes last, so a crash meanwhile leaves no file system. */
static void mkfs(uint32_t size)
{
    uint32_t ninodeblocks = NINODES / IPB, nbitmap = size / BPB + 1;
    sb.magic = FS_MAGIC;
    sb.size = size;
    sb.ninodes = NINODES;
    sb.nlog = LOGBLOCKS;
    sb.logstart = 2;
    sb.inodestart = sb.logstart + LOGBLOCKS;
    sb.bmapstart = sb.inodestart + ninodeblocks;
    sb.datastart = sb.bmapstart + nbitmap;
    sb.nblocks = size - sb.datastart;

    uint32_t rootblock = sb.datastart;
    for (uint32_t used = 0; used <= rootblock; used += BPB) {  /* metadata + root's block */
        struct buf *b = bread(sb.bmapstart + used / BPB);
        memset(b->data, 0, BSIZE);
        for (uint32_t bi = used; bi <= rootblock && bi < used + BPB; bi++)
            b->data[(bi % BPB) / 8] |= (uint8_t)(1 << (bi % 8));
        bwrite(b);
        brelse(b);
    }
    struct buf *b = bread(rootblock);
    memset(b->data, 0, BSIZE);
    struct dirent *de = (struct dirent *)b->data;
    de[0].inum = ROOTINO; strncpy(de[0].name, ".", DIRSIZ);
    de[1].inum = ROOTINO; strncpy(de[1].name, "..", DIRSIZ);
    bwrite(b);
    brelse(b);
    b = bread(sb.inodestart + ROOTINO / IPB);
    struct dinode *d = (struct dinode *)b->data + ROOTINO % IPB;
    memset(d, 0, sizeof *d);
    d->type = T_DIR;
    d->nlink = 2;
    d->size = 2 * sizeof(struct dirent);
    d->addrs[0] = rootblock;
    bwrite(b);
    brelse(b);
    b = bread(1);
    memset(b->data, 0, BSIZE);
    memcpy(b->data, &sb, sizeof sb);
    bwrite(b);
    brelse(b);
}

/* Runs at boot: is every byte of the disk zero? Read in 64 KiB chunks, eight
 * words OR-ed together per step (a blank 16 MiB disk takes a few million
 * instructions). */
static int disk_is_blank(uint32_t blocks)
{
    static uint64_t chunk[64 * BSIZE / 8];
    for (uint32_t bno = 0; bno < blocks; bno += 64) {
        uint32_t n = blocks - bno < 64 ? blocks - bno : 64;
        if (virtio_blk_rw((uint64_t)bno * (BSIZE / 512), chunk, n * (BSIZE / 512), 0) < 0)
            return 0;
        const uint64_t *w = chunk, *end = chunk + n * BSIZE / 8;
        for (; w < end; w += 8)
            if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7])
                return 0;
    }
    return 1;
}

/* Runs once at boot: mount the disk's file system (replaying its log), format
 * a disk that is all zeros, or leave any other disk untouched.
 * Returns 1 mounted, 0 no file system. */
int fs_init(void)
{
    uint32_t blocks = disk_blocks();
    if (!blocks)
        return 0;
    struct buf *b = bread(1);
    memcpy(&sb, b->data, sizeof sb);
    brelse(b);
    if (sb.magic != FS_MAGIC) {
        if (disk_read_only() || !disk_is_blank(blocks)) {
            printf("OS: fs: the disk holds no rvisor file system and is not blank: left untouched\n");
            return 0;
        }
        if (blocks < 128) {
            printf("OS: fs: the disk is too small for a file system\n");
            return 0;
        }
        mkfs(blocks);
        printf("OS: fs: blank disk formatted (%u KiB, %u inodes)\n", blocks, sb.ninodes);
    }
    if (sb.size > blocks || sb.datastart >= sb.size) {
        printf("OS: fs: superblock does not fit the disk: left untouched\n");
        return 0;
    }
    log_init(sb.logstart, sb.nlog);
    mounted = 1;
    uint32_t nfree, total;
    fs_stats(&nfree, &total);
    printf("OS: fs: mounted (%u KiB, %u KiB free)%s\n", total, nfree,
           disk_read_only() ? " read-only" : "");
    return 1;
}

/* Runs where file-system calls check that there is one. */
int fs_mounted(void)
{
    return mounted;
}
