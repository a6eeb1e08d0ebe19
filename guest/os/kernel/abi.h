/* Types shared by the kernel and user programs. */
#ifndef ABI_H
#define ABI_H

#include <stdint.h>

#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR   0x002
#define O_CREATE 0x200
#define O_TRUNC  0x400
#define O_APPEND 0x800

#define T_DIR    1
#define T_FILE   2
#define T_DEV    3       /* the console */

#define DIRSIZ 14
struct dirent {
    uint16_t inum;       /* 0 = free entry */
    char name[DIRSIZ];
};

struct stat {
    int type;
    uint32_t ino;
    int16_t nlink;
    uint64_t size;
};

struct procinfo {
    int pid, ppid, pgid;
    int state;           /* 1 runnable, 2 running, 3 sleeping, 4 zombie; 0 = free slot */
    char name[16];
    uint64_t ticks;      /* since the process started */
    uint64_t preempted, syscalls;
    uint64_t memory;     /* bytes of user memory */
};

struct ufaultinfo {
    int pid, cause;
    uint64_t pc, addr;
    char what[40];
};

struct sysinfo {
    uint64_t ticks, tick_hz, timebase, time;
    uint64_t syscalls, preemptions, switches, uart_irqs, faults;
    uint64_t free_pages, log_commits, instret;
    uint32_t fs_free_blocks, fs_blocks;
};

#endif
