/* echo: print the arguments, separated by spaces. */
#include "ulib.h"

/* Runs as a command: echo words... */
int main(int argc, char **argv)
{
    char buf[512];
    buf[0] = 0;
    for (int i = 1; i < argc; i++) {
        if (strlen(buf) + strlen(argv[i]) + 2 >= sizeof buf)
            break;
        strcat(buf, argv[i]);
        if (i + 1 < argc)
            strcat(buf, " ");
    }
    strcat(buf, "\n");
    write(1, buf, (long)strlen(buf));
    return 0;
}
