/* init: the first process. Starts the shell on the console, collects orphans,
 * and powers the machine off when the shell ends (exit or Ctrl-D). */
#include "ulib.h"

/* Runs as process 1, loaded by the kernel at boot. */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char *shargv[] = { "sh", 0 };
    int sh = fork();
    if (sh < 0) {
        printf("init: fork failed\n");
        poweroff(1);
    }
    if (sh == 0) {
        exec("sh", shargv);
        printf("init: cannot run sh\n");
        exit(1);
    }
    for (;;) {
        int status, pid = wait(&status);
        if (pid == sh || pid < 0) {
            printf("OS: shell exited (status %d), powering off\n", status);
            poweroff(status == 0 ? 0 : 1);
        }
    }
}
