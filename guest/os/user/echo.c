/* echo: print every console byte it reads (the UART delivers them by
 * interrupt). Runs until init kills it. */
#include "ulib.h"

/* Runs as a process spawned by init; exits when read() fails (killed). */
int main(long arg)
{
    (void)arg;
    char c;
    while (read(0, &c, 1) == 1) {
        if (c >= 0x21 && c < 0x7f)
            printf("OS: echo %c\n", c);
        else
            printf("OS: echo 0x%02x\n", (unsigned char)c);
    }
    return 0;
}
