/* Open files: what a file descriptor refers to (the console, a pipe end, an
 * inode with an offset). Shared between descriptors by fork and dup. */
#include "kernel.h"
#include "abi.h"

#define NFILE 64
#define WRITE_CHUNK (16 * BSIZE)    /* bytes per transaction: fits the log */

enum ftype { FD_NONE, FD_CONSOLE, FD_PIPE, FD_INODE };

struct file {
    enum ftype type;
    int ref;
    int readable, writable, append;
    struct pipe *pipe;
    struct inode *ip;
    uint32_t off;
};

static struct file ftable[NFILE];

/* Runs in open, pipe and at boot: a free open-file slot. */
struct file *file_alloc(void)
{
    for (int i = 0; i < NFILE; i++)
        if (ftable[i].ref == 0) {
            memset(&ftable[i], 0, sizeof ftable[i]);
            ftable[i].ref = 1;
            return &ftable[i];
        }
    return 0;
}

/* Runs once at boot for init's descriptors 0, 1 and 2. */
struct file *file_console(void)
{
    struct file *f = file_alloc();
    f->type = FD_CONSOLE;
    f->readable = f->writable = 1;
    return f;
}

/* Runs in open(): an open file for inode ip (the reference passes to it). */
struct file *file_inode(struct inode *ip, int readable, int writable, int append)
{
    struct file *f = file_alloc();
    if (!f)
        return 0;
    f->type = FD_INODE;
    f->ip = ip;
    f->readable = readable;
    f->writable = writable;
    f->append = append;
    return f;
}

/* Runs in fork and dup. */
struct file *file_dup(struct file *f)
{
    f->ref++;
    return f;
}

/* Runs in close and exit: the last reference closes the pipe end or inode. */
void file_close(struct file *f)
{
    if (--f->ref > 0)
        return;
    if (f->type == FD_PIPE) {
        pipe_close(f->pipe, f->writable);
    } else if (f->type == FD_INODE) {
        begin_op();
        iput(f->ip);
        end_op();
    }
    f->type = FD_NONE;
}

/* Runs in read(). */
int file_read(struct file *f, char *dst, int n)
{
    if (!f->readable)
        return -1;
    switch (f->type) {
    case FD_CONSOLE:
        return console_read(dst, n);
    case FD_PIPE:
        return pipe_read(f->pipe, dst, n);
    case FD_INODE: {
        int r = readi(f->ip, dst, f->off, (uint32_t)n);
        if (r > 0)
            f->off += (uint32_t)r;
        return r;
    }
    default:
        return -1;
    }
}

/* Runs in write(): to a file, in transactions small enough for the log, so
 * that each chunk is on the disk whole or not at all. */
int file_write(struct file *f, const char *src, int n)
{
    if (!f->writable)
        return -1;
    switch (f->type) {
    case FD_CONSOLE:
        return console_write(src, n);
    case FD_PIPE:
        return pipe_write(f->pipe, src, n);
    case FD_INODE: {
        if (disk_read_only())
            return -1;
        int done = 0;
        while (done < n) {
            int m = n - done > WRITE_CHUNK ? WRITE_CHUNK : n - done;
            begin_op();
            if (f->append)
                f->off = inode_size(f->ip);
            int r = writei(f->ip, src + done, f->off, (uint32_t)m);
            end_op();
            if (r <= 0)
                break;
            f->off += (uint32_t)r;
            done += r;
            if (r != m)
                break;
        }
        return done == n ? n : -1;
    }
    default:
        return -1;
    }
}

/* Runs in fstat(). */
int file_stat(struct file *f, struct stat *st)
{
    if (f->type == FD_INODE) {
        stati(f->ip, st);
        return 0;
    }
    memset(st, 0, sizeof *st);
    st->type = T_DEV;
    return 0;
}

/* Runs in pipe_alloc: make f one end of pipe p. */
void file_make_pipe(struct file *f, struct pipe *p, int writable)
{
    f->type = FD_PIPE;
    f->pipe = p;
    f->readable = !writable;
    f->writable = writable;
}
