/* ls: list a directory (its entries with type, inode and size) or a file;
 * `ls /bin` lists the programs built into the kernel. */
#include "ulib.h"

/* Runs per listed name: one line, the name padded to a column. */
static void show(const char *name, struct stat *st)
{
    char col[DIRSIZ + 2];
    int n = (int)strlen(name);
    memcpy(col, name, (size_t)n);
    if (st->type == T_DIR && strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
        col[n++] = '/';
    while (n < DIRSIZ + 1)
        col[n++] = ' ';
    col[n] = 0;
    printf("%s %s %4u %8lu\n", col, st->type == T_DIR ? "dir " : "file", st->ino, st->size);
}

/* Runs for `ls /bin`: the programs built into the kernel (read-only). */
static int ls_bin(void)
{
    char name[32];
    long size;
    for (int i = 0; (size = progname(i, name, sizeof name)) >= 0; i++) {
        struct stat st = { T_FILE, 0, 1, (uint64_t)size };
        show(name, &st);
    }
    return 0;
}

/* Runs once per argument. */
static int ls(const char *path)
{
    if (strcmp(path, "/bin") == 0 || strcmp(path, "/bin/") == 0)
        return ls_bin();
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(2, "ls: %s: no such file or directory\n", path);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (st.type != T_DIR) {
        show(path, &st);
        close(fd);
        return 0;
    }
    struct dirent de;
    char full[160];
    while (read(fd, &de, sizeof de) == sizeof de) {
        if (de.inum == 0)
            continue;
        char name[DIRSIZ + 1];
        memcpy(name, de.name, DIRSIZ);
        name[DIRSIZ] = 0;
        snprintf(full, sizeof full, "%s/%s", path, name);
        struct stat est;
        if (stat(full, &est) < 0)
            continue;
        show(name, &est);
    }
    close(fd);
    return 0;
}

/* Runs as a command: ls [path...] */
int main(int argc, char **argv)
{
    if (argc < 2)
        return ls(".");
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= ls(argv[i]);
    return status;
}
