/* wc: count lines, words and bytes of files or standard input. */
#include "ulib.h"

/* Runs once per input. */
static void wc(int fd, const char *name)
{
    static char buf[1024];
    long lines = 0, words = 0, bytes = 0, n;
    int inword = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (long i = 0; i < n; i++) {
            char c = buf[i];
            bytes++;
            if (c == '\n')
                lines++;
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                inword = 0;
            } else if (!inword) {
                inword = 1;
                words++;
            }
        }
    }
    printf("%ld %ld %ld%s%s\n", lines, words, bytes, name ? " " : "", name ? name : "");
}

/* Runs as a command: wc [file...] */
int main(int argc, char **argv)
{
    if (argc < 2) {
        wc(0, 0);
        return 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            fprintf(2, "wc: %s: no such file\n", argv[i]);
            status = 1;
            continue;
        }
        wc(fd, argv[i]);
        close(fd);
    }
    return status;
}
