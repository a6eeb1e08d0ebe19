/* iohog: disk-bound work for resource-sharing experiments. Writes a file of
 * the given KiB (default 256) again and again for the given seconds (default
 * 3), reporting KiB/s once a second; removes the file at the end. */
#include "ulib.h"

/* Runs as a command: iohog [seconds] [KiB] */
int main(int argc, char **argv)
{
    long secs = argc > 1 ? atol(argv[1]) : 3, kib = argc > 2 ? atol(argv[2]) : 256;
    long hz = tick_hz(), pid = getpid();
    static char block[4096];
    char path[32];
    snprintf(path, sizeof path, "/iohog.%ld", pid);
    for (int i = 0; i < (int)sizeof block; i++)
        block[i] = (char)('a' + i % 26);
    long start = uptime(), total = 0;
    for (long s = 1; s <= secs; s++) {
        long done = 0;
        while (uptime() - start < s * hz) {
            int fd = open(path, O_WRONLY | O_CREATE | O_TRUNC);
            if (fd < 0) {
                fprintf(2, "iohog: cannot create %s\n", path);
                return 1;
            }
            for (long k = 0; k < kib && uptime() - start < s * hz; k += 4) {
                if (write(fd, block, sizeof block) != sizeof block) {
                    fprintf(2, "iohog: write failed (disk full?)\n");
                    close(fd);
                    return 1;
                }
                done += 4;
            }
            close(fd);
        }
        total += done;
        printf("iohog %ld: %ld s, %ld KiB/s written\n", pid, s, done);
    }
    unlink(path);
    printf("iohog %ld: done, %ld KiB in %ld s\n", pid, total, secs);
    return 0;
}
