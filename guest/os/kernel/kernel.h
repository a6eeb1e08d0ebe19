/* Interfaces of the portable kernel layer. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>
#include <stddef.h>
#include "../arch/riscv/arch.h"
#include "../lib/lib.h"
#include "proc.h"

struct file;
struct inode;
struct stat;
struct buf;
struct pipe;

/* printf.c */
void printf(const char *fmt, ...);
void panic(const char *fmt, ...) __attribute__((noreturn));
int ksnprintf(char *buf, int size, const char *fmt, ...);

/* kalloc.c: 4 KiB physical pages */
void kalloc_init(void);
void *kalloc(void);
void *kalloc_zeroed(void);
void kfree(void *pa);
uint64_t kalloc_free_pages(void);

/* console.c: the terminal's line discipline */
void console_intr(char c);
int console_room(void);
int console_read(char *dst, int n);
int console_write(const char *src, int n);
void console_set_fg(int pgid);

/* clock.c */
extern volatile uint64_t ticks;
void clock_tick(void);

/* proc.c */
struct proc *myproc(void);
void *proc_kstack_top(struct proc *p);
void proc_init_first(void);
int proc_fork(void);
int proc_exec(const char *path, char **argv);
void proc_exit(int status) __attribute__((noreturn));
int proc_wait(int *status, int nohang);
int proc_kill(int pid);
int proc_kill_group(int pgid);
void proc_fault(const char *what, uint64_t cause, uint64_t pc, uint64_t addr);
int64_t proc_sbrk(int64_t n);

/* The last user fault, for programs that explain traps (trapdemo). */
struct faultinfo {
    int pid;
    int cause;
    uint64_t pc, addr;
    char what[40];
    char name[16];
};
extern struct faultinfo lastfault;

/* sched.c */
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
void sleep(void *chan);
void wakeup(void *chan);

/* syscall.c */
void syscall(struct trapframe *tf);
int fetch_str(uint64_t uva, char *dst, int max);
int user_ok(uint64_t uva, uint64_t len, int write);

/* bio.c: the block cache over the disk (BSIZE-byte blocks) */
#define BSIZE 1024
struct buf {
    int valid, refcnt, pinned;
    uint32_t blockno;
    uint64_t lru;
    uint8_t data[BSIZE];
};
int disk_init(void);                    /* 1 a disk, 0 none, -1 broken */
uint32_t disk_blocks(void);
int disk_read_only(void);
struct buf *bread(uint32_t blockno);
void bwrite(struct buf *b);
void brelse(struct buf *b);
int disk_selftest(void);                /* 1 passed, 0 skipped, -1 failed */

/* log.c: write-ahead log; one transaction per file-system system call */
void log_init(uint32_t start, uint32_t size);
void begin_op(void);
void end_op(void);
void log_write(struct buf *b);
extern uint64_t log_commits;

/* fs.c */
int fs_init(void);                      /* mounts, formats a blank disk, or refuses */
int fs_mounted(void);
struct inode *namei(const char *path);
struct inode *nameiparent(const char *path, char *name);
struct inode *idup(struct inode *ip);
void iput(struct inode *ip);
int readi(struct inode *ip, void *dst, uint32_t off, uint32_t n);
int writei(struct inode *ip, const void *src, uint32_t off, uint32_t n);
void stati(struct inode *ip, struct stat *st);
struct inode *fs_create(const char *path, short type);
int fs_unlink(const char *path);
int inode_type(struct inode *ip);
uint32_t inode_size(struct inode *ip);
void itrunc(struct inode *ip);
void fs_stats(uint32_t *free_blocks, uint32_t *total_blocks);

/* file.c: open files shared by descriptors */
struct file *file_alloc(void);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
int file_read(struct file *f, char *dst, int n);
int file_write(struct file *f, const char *src, int n);
int file_stat(struct file *f, struct stat *st);
struct file *file_console(void);
struct file *file_inode(struct inode *ip, int readable, int writable, int append);
void file_make_pipe(struct file *f, struct pipe *p, int writable);

/* pipe.c */
int pipe_alloc(struct file **rf, struct file **wf);
void pipe_close(struct pipe *p, int writable);
int pipe_read(struct pipe *p, char *dst, int n);
int pipe_write(struct pipe *p, const char *src, int n);

/* programs.c: user programs built into the kernel image (the /bin directory) */
struct program {
    const char *name;
    const uint8_t *start, *end;
};
const struct program *program_find(const char *path);
const struct program *program_at(int i);

/* main.c */
void shutdown(int code) __attribute__((noreturn));

struct kstats {
    uint64_t syscalls, preemptions, switches, uart_irqs, faults;
};
extern struct kstats stats;

#endif
