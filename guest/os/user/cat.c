/* cat: copy files (or standard input) to standard output. */
#include "ulib.h"

/* Runs once per input: copy fd to standard output; -1 on a read error. */
static int copy(int fd)
{
    static char buf[1024];
    long n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(1, buf, n) != n) {
            fprintf(2, "cat: write error (disk full?)\n");
            return -1;
        }
    return n < 0 ? -1 : 0;
}

/* Runs as a command: cat [file...] */
int main(int argc, char **argv)
{
    if (argc < 2)
        return copy(0) < 0;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || st.type == T_DIR) {
            fprintf(2, "cat: %s: %s\n", argv[i], fd < 0 ? "no such file" : "is a directory");
            if (fd >= 0)
                close(fd);
            status = 1;
            continue;
        }
        struct stat out;
        if (fstat(1, &out) == 0 && out.type == T_FILE && out.ino == st.ino) {
            fprintf(2, "cat: %s: input file is output file\n", argv[i]);   /* it would grow forever */
            close(fd);
            status = 1;
            continue;
        }
        if (copy(fd) < 0)
            status = 1;
        close(fd);
    }
    return status;
}
