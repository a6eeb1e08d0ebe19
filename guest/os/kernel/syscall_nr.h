/* System call numbers: the ABI between user programs and the kernel.
 * A program puts the number and up to three arguments in the registers the
 * machine layer names (arch/riscv/arch.h), traps into the kernel, and gets
 * the result back (< 0 = error). */
#ifndef SYSCALL_NR_H
#define SYSCALL_NR_H

#define SYS_fork      1    /* fork() -> child pid in the parent, 0 in the child */
#define SYS_exit      2    /* exit(status), does not return */
#define SYS_wait      3    /* wait(&status, nohang) -> pid of an exited child, 0, -1 */
#define SYS_pipe      4    /* pipe(fds[2]) -> 0 */
#define SYS_read      5    /* read(fd, buf, n) -> n, 0 at end of file */
#define SYS_kill      6    /* kill(pid) -> 0 */
#define SYS_exec      7    /* exec(path, argv) -> does not return on success */
#define SYS_fstat     8    /* fstat(fd, &st) -> 0 */
#define SYS_chdir     9    /* chdir(path) -> 0 */
#define SYS_dup      10    /* dup(fd) -> new fd */
#define SYS_getpid   11    /* getpid() -> pid */
#define SYS_sbrk     12    /* sbrk(n) -> old end of the heap */
#define SYS_sleep    13    /* sleep(ticks) -> 0 */
#define SYS_uptime   14    /* uptime() -> ticks since boot */
#define SYS_open     15    /* open(path, flags) -> fd */
#define SYS_write    16    /* write(fd, buf, n) -> n */
#define SYS_unlink   17    /* unlink(path) -> 0 (files, empty directories) */
#define SYS_mkdir    18    /* mkdir(path) -> 0 */
#define SYS_close    19    /* close(fd) -> 0 */
#define SYS_poweroff 20    /* poweroff(code), does not return */
#define SYS_yield    21    /* yield() -> 0 */
#define SYS_procinfo 22    /* procinfo(slot, &info) -> 0, -1 past the table */
#define SYS_setfg    23    /* setfg(pid): pid's job gets Ctrl-C; 0 = the caller's */
#define SYS_lastfault 24   /* lastfault(&info) -> 0: the last user fault the kernel handled */
#define SYS_sysinfo  25    /* sysinfo(&info) -> 0: counters, ticks per second */
#define SYS_disktest 26    /* disktest() -> 1 passed, 0 skipped, -1 failed */
#define SYS_progname 27    /* progname(i, buf, n) -> size of built-in program i, -1 past the end */

#endif
