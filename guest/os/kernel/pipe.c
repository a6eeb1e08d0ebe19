/* Pipes: a byte ring between a writing and a reading open file. */
#include "kernel.h"

#define PIPESIZE 2048

struct pipe {
    char data[PIPESIZE];
    uint32_t nread, nwrite;     /* free-running counts */
    int readopen, writeopen;
};

/* Runs in pipe(): one page holds the pipe; two open files share it. */
int pipe_alloc(struct file **rf, struct file **wf)
{
    struct pipe *p = kalloc();
    *rf = file_alloc();
    *wf = *rf ? file_alloc() : 0;
    if (!p || !*rf || !*wf) {
        if (p)
            kfree(p);
        if (*rf)
            file_close(*rf);
        return -1;
    }
    p->nread = p->nwrite = 0;
    p->readopen = p->writeopen = 1;
    file_make_pipe(*rf, p, 0);
    file_make_pipe(*wf, p, 1);
    return 0;
}

/* Runs when an end is closed for the last time; the pipe goes with both ends. */
void pipe_close(struct pipe *p, int writable)
{
    if (writable)
        p->writeopen = 0;
    else
        p->readopen = 0;
    wakeup(p);
    if (!p->readopen && !p->writeopen)
        kfree(p);
}

/* Runs in write() on a pipe: blocks while full; -1 if nobody reads any more. */
int pipe_write(struct pipe *p, const char *src, int n)
{
    int i = 0;
    while (i < n) {
        if (!p->readopen || myproc()->killed)
            return -1;
        if (p->nwrite - p->nread == PIPESIZE) {
            wakeup(p);
            sleep(p);
            continue;
        }
        p->data[p->nwrite++ % PIPESIZE] = src[i++];
    }
    wakeup(p);
    return i;
}

/* Runs in read() on a pipe: blocks while empty and a writer remains; 0 = end. */
int pipe_read(struct pipe *p, char *dst, int n)
{
    while (p->nread == p->nwrite && p->writeopen) {
        if (myproc()->killed)
            return -1;
        sleep(p);
    }
    int i = 0;
    while (i < n && p->nread != p->nwrite)
        dst[i++] = p->data[p->nread++ % PIPESIZE];
    wakeup(p);
    return i;
}
