/*
 * rvisor's Linux guest: the tiny shell that /init runs on the console with rvisor.shell=1.
 *
 * It reads a line, splits it at blanks and runs one of its built-ins; there are no other programs.
 *   ls [PATH...]     entries of folders (a trailing / marks a folder), or the name of a file
 *   cat FILE...      file contents
 *   echo [WORD...]   the words
 *   uptime           seconds since boot and the load averages
 *   free             memory in KiB (total, used, free, shared, buffers)
 *   poweroff         power the machine off (also at the end of input)
 *   help             this list
 * It prints RVISOR-LINUX-SHELL-READY before its first prompt "# ".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "rvisor.h"

#define MAX_ARGS 32

/* Runs for `ls`: one folder's entries, sorted, or the name of a single file. */
static int ls_one(const char *path)
{
    struct dirent **names;
    struct stat st;
    int i, n;
    if (stat(path, &st) != 0) {
        printf("ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        printf("%s\n", path);
        return 0;
    }
    n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        printf("ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (i = 0; i < n; i++) {
        char full[4096];
        const char *name = names[i]->d_name;
        if (name[0] != '.') {
            snprintf(full, sizeof full, "%s/%s", path, name);
            printf("%s%s\n", name, stat(full, &st) == 0 && S_ISDIR(st.st_mode) ? "/" : "");
        }
        free(names[i]);
    }
    free(names);
    return 0;
}

/* Runs for `uptime`: /proc/uptime and /proc/loadavg in words. */
static void uptime(void)
{
    struct sysinfo si;
    double up = 0;
    FILE *f = fopen("/proc/uptime", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf", &up) != 1)
            up = 0;
        fclose(f);
    }
    if (sysinfo(&si) != 0) {
        printf("uptime: %s\n", strerror(errno));
        return;
    }
    printf("up %.2f s, %d process%s, load average: %.2f, %.2f, %.2f\n", up, si.procs, si.procs == 1 ? "" : "es",
           si.loads[0] / 65536.0, si.loads[1] / 65536.0, si.loads[2] / 65536.0);
}

/* Runs for `free`: memory totals from sysinfo(2), in KiB. */
static void free_mem(void)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0) {
        printf("free: %s\n", strerror(errno));
        return;
    }
    unsigned long long unit = si.mem_unit ? si.mem_unit : 1;
    unsigned long long total = si.totalram * unit / 1024, fr = si.freeram * unit / 1024;
    printf("%-6s %12s %12s %12s %12s %12s\n", "KiB", "total", "used", "free", "shared", "buffers");
    printf("%-6s %12llu %12llu %12llu %12llu %12llu\n", "Mem:", total, total - fr, fr,
           si.sharedram * unit / 1024, si.bufferram * unit / 1024);
}

/* Runs once per input line: splits it and runs the built-in it names. */
static void run_line(char *line)
{
    char *argv[MAX_ARGS + 1], *save = NULL, *tok;
    int argc = 0, i;
    for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && argc < MAX_ARGS;
         tok = strtok_r(NULL, " \t\r\n", &save))
        argv[argc++] = tok;
    argv[argc] = NULL;
    if (argc == 0)
        return;
    if (strcmp(argv[0], "ls") == 0) {
        if (argc == 1)
            ls_one(".");
        for (i = 1; i < argc; i++)
            ls_one(argv[i]);
    } else if (strcmp(argv[0], "cat") == 0) {
        for (i = 1; i < argc; i++)
            if (cat_file(argv[i]) != 0)
                printf("cat: %s: %s\n", argv[i], strerror(errno));
    } else if (strcmp(argv[0], "echo") == 0) {
        for (i = 1; i < argc; i++)
            printf("%s%s", argv[i], i + 1 < argc ? " " : "");
        printf("\n");
    } else if (strcmp(argv[0], "uptime") == 0) {
        uptime();
    } else if (strcmp(argv[0], "free") == 0) {
        free_mem();
    } else if (strcmp(argv[0], "poweroff") == 0) {
        power_off();
    } else if (strcmp(argv[0], "help") == 0) {
        printf("built-ins: ls [PATH...], cat FILE..., echo [WORD...], uptime, free, poweroff, help\n");
    } else {
        printf("sh: %s: not found (try help)\n", argv[0]);
    }
}

/* Runs instead of power-off when the command line has rvisor.shell=1: the read-run loop. */
void run_shell(void)
{
    char line[1024];
    size_t len = 0;
    char c;
    if (chdir("/") != 0)
        printf("sh: chdir /: %s\n", strerror(errno));
    printf("rvisor Linux shell; built-ins: ls cat echo uptime free poweroff help\n");
    printf("RVISOR-LINUX-SHELL-READY\n# ");
    fflush(stdout);
    for (;;) {
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            printf("\nsh: end of input\n");
            return;
        }
        if (c != '\n' && c != '\r') {
            if (len + 1 < sizeof line)
                line[len++] = c;
            continue;
        }
        line[len] = '\0';
        len = 0;
        run_line(line);
        printf("# ");
        fflush(stdout);
    }
}
