/* init: the first process. Starts the shell on the console, collects orphans,
 * starts a new shell if one is killed, and powers the machine off when the
 * shell ends by itself (exit, or Ctrl-D at its prompt). */
#include "ulib.h"

/* Runs at boot and after a shell was killed: a shell as a child of init. */
static int start_shell(void)
{
    char *shargv[] = { "sh", 0 };
    int pid = fork();
    if (pid < 0) {
        printf("init: fork failed\n");
        poweroff(1);
    }
    if (pid == 0) {
        exec("sh", shargv);
        printf("init: cannot run sh\n");
        exit(1);
    }
    return pid;
}

/* Runs as process 1, loaded by the kernel at boot. */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int sh = start_shell();
    for (;;) {
        int status, pid = wait(&status);
        if (pid == sh && status == -1) {
            printf("OS: shell killed, starting a new one\n");
            sh = start_shell();
        } else if (pid == sh || pid < 0) {
            printf("OS: shell exited (status %d), powering off\n", status);
            poweroff(status == 0 ? 0 : 1);
        }
    }
}
