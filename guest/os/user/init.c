/* init: the first process. Starts two tickers and the echo program, waits
 * for the tickers, gives input a moment to be echoed, then powers off. */
#include "ulib.h"

#define ECHO_WINDOW 200     /* ticks (0.2 s) of echoing after the tickers end */

/* Runs as the first process (pid 1), started by kmain. */
int main(long arg)
{
    (void)arg;
    printf("OS: init running (pid %d)\n", getpid());
    int a = spawn("ticker", 'A');
    int b = spawn("ticker", 'B');
    int e = spawn("echo", 0);
    if (a < 0 || b < 0 || e < 0) {
        printf("OS: init: spawn failed\n");
        poweroff(1);
    }

    int failed = 0, tickers = 2, echo_alive = 1;
    while (tickers > 0) {
        int status, pid = wait(&status);
        if (pid < 0)
            break;
        if (pid == e)
            echo_alive = 0;
        else
            tickers--;
        if (status != 0) {
            printf("OS: init: pid %d exited with status %d\n", pid, status);
            failed = 1;
        }
    }
    printf("OS: procs done (A and B finished)\n");

    if (echo_alive) {
        sleep(ECHO_WINDOW);
        kill(e);            /* echo blocks in read() forever otherwise */
        int status;
        wait(&status);
    }
    poweroff(failed ? 1 : 0);
}
