/* Small user-library helpers built on the system calls. */
#include "ulib.h"

/* Runs where a program needs a file's type and size by name. */
int stat(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int r = fstat(fd, st);
    close(fd);
    return r;
}

/* Runs in line-oriented programs: read one line (with its newline) from fd 0.
 * Returns 0 at end of input with nothing read. */
char *gets(char *buf, int max)
{
    int i = 0;
    while (i + 1 < max) {
        char c;
        if (read(0, &c, 1) != 1)
            break;
        buf[i++] = c;
        if (c == '\n')
            break;
    }
    buf[i] = 0;
    return i ? buf : 0;
}

/* Runs in wait(): the blocking form of the wait system call. */
int wait(int *status)
{
    return waitpid_any(status, 0);
}

static char *heap_end, *heap_top;

/* Runs where a program needs memory: a bump allocator over sbrk. */
void *malloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (heap_end + n > heap_top) {
        size_t grow = n > 16384 ? n : 16384;
        char *p = sbrk((long)grow);
        if (p == (char *)-1)
            return 0;
        if (p != heap_top)
            heap_end = p;
        heap_top = p + grow;
    }
    void *r = heap_end;
    heap_end += n;
    return r;
}

/* Runs where a program converts ticks to seconds. */
int tick_hz(void)
{
    struct sysinfo si;
    sysinfo(&si);
    return (int)si.tick_hz;
}
