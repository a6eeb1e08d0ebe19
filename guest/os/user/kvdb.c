/* kvdb: a key-value database in the file /kvdb.log on the disk.
 *
 * Line protocol (as arguments, `kvdb set k v`, or one command per line in an
 * interactive `kvdb` session, which ends with `quit` or Ctrl-D):
 *   set KEY VALUE   -> OK            (VALUE may contain spaces)
 *   get KEY         -> VALUE | (not found)
 *   del KEY         -> OK | (not found)
 *   scan [PREFIX]   -> KEY=VALUE lines in key order, then "(N keys)"
 *
 * The file is a log of records "S KEY VALUE" and "D KEY", one line each,
 * appended with one write() each: the file system commits every write()
 * whole or not at all, so a crash never leaves half a record behind.
 * Opening the database replays the log. */
#include "ulib.h"

#define DBFILE "/kvdb.log"
#define MAXKEYS 256
#define KEYLEN 32
#define VALLEN 200

struct entry {
    char key[KEYLEN];
    char val[VALLEN];
    int used;
};

static struct entry table[MAXKEYS];

/* Runs for every lookup: the entry for key, or 0. */
static struct entry *find(const char *key)
{
    for (int i = 0; i < MAXKEYS; i++)
        if (table[i].used && strcmp(table[i].key, key) == 0)
            return &table[i];
    return 0;
}

/* Runs on set (replay or command): store key = val in memory. */
static int put(const char *key, const char *val)
{
    struct entry *e = find(key);
    for (int i = 0; i < MAXKEYS && !e; i++)
        if (!table[i].used)
            e = &table[i];
    if (!e)
        return -1;
    e->used = 1;
    strncpy(e->key, key, KEYLEN - 1);
    strncpy(e->val, val, VALLEN - 1);
    return 0;
}

/* Runs at start: rebuild the table by replaying the log file. */
static void load(void)
{
    int fd = open(DBFILE, O_RDONLY);
    if (fd < 0)
        return;
    static char line[KEYLEN + VALLEN + 8];
    int n = 0;
    char c;
    while (read(fd, &c, 1) == 1) {
        if (c != '\n') {
            if (n < (int)sizeof line - 1)
                line[n++] = c;
            continue;
        }
        line[n] = 0;
        n = 0;
        char *key = line + 2, *sp = strchr(key, ' ');
        if (line[0] == 'S' && sp) {
            *sp = 0;
            put(key, sp + 1);
        } else if (line[0] == 'D') {
            struct entry *e = find(key);
            if (e)
                e->used = 0;
        }
    }
    close(fd);
}

/* Runs on set and del: append one record in a single write (one transaction). */
static int append(const char *rec)
{
    int fd = open(DBFILE, O_WRONLY | O_CREATE | O_APPEND);
    if (fd < 0)
        return -1;
    long n = (long)strlen(rec);
    int ok = write(fd, rec, n) == n;
    close(fd);
    return ok ? 0 : -1;
}

/* Runs for scan: compare entries by key (insertion sort below). */
static int by_key(const struct entry *a, const struct entry *b)
{
    return strcmp(a->key, b->key);
}

/* Runs for each command: argv[0] is the verb. Returns 0 ok, 1 not found, 2 error. */
static int command(int argc, char **argv)
{
    static char rec[KEYLEN + VALLEN + 8];
    if (argc >= 3 && strcmp(argv[0], "set") == 0) {
        char val[VALLEN];
        val[0] = 0;
        for (int i = 2; i < argc; i++) {
            if (strlen(val) + strlen(argv[i]) + 2 > VALLEN)
                break;
            if (i > 2)
                strcat(val, " ");
            strcat(val, argv[i]);
        }
        if (strlen(argv[1]) >= KEYLEN || strchr(argv[1], ' ')) {
            printf("ERR key too long\n");
            return 2;
        }
        snprintf(rec, sizeof rec, "S %s %s\n", argv[1], val);
        if (append(rec) < 0 || put(argv[1], val) < 0) {
            printf("ERR cannot store (no file system, or full)\n");
            return 2;
        }
        printf("OK\n");
        return 0;
    }
    if (argc == 2 && strcmp(argv[0], "get") == 0) {
        struct entry *e = find(argv[1]);
        printf("%s\n", e ? e->val : "(not found)");
        return e ? 0 : 1;
    }
    if (argc == 2 && strcmp(argv[0], "del") == 0) {
        struct entry *e = find(argv[1]);
        if (!e) {
            printf("(not found)\n");
            return 1;
        }
        snprintf(rec, sizeof rec, "D %s\n", argv[1]);
        if (append(rec) < 0) {
            printf("ERR cannot store\n");
            return 2;
        }
        e->used = 0;
        printf("OK\n");
        return 0;
    }
    if (argc <= 2 && strcmp(argv[0], "scan") == 0) {
        static struct entry *hits[MAXKEYS];
        const char *prefix = argc == 2 ? argv[1] : "";
        int n = 0;
        for (int i = 0; i < MAXKEYS; i++) {
            if (!table[i].used || strncmp(table[i].key, prefix, strlen(prefix)) != 0)
                continue;
            int j = n++;
            while (j > 0 && by_key(hits[j - 1], &table[i]) > 0) {
                hits[j] = hits[j - 1];
                j--;
            }
            hits[j] = &table[i];
        }
        for (int i = 0; i < n; i++)
            printf("%s=%s\n", hits[i]->key, hits[i]->val);
        printf("(%d keys)\n", n);
        return 0;
    }
    printf("ERR usage: set KEY VALUE | get KEY | del KEY | scan [PREFIX] | quit\n");
    return 2;
}

/* Runs per interactive line: split on spaces. */
static int split(char *s, char **argv, int max)
{
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            *s++ = 0;
        if (!*s)
            break;
        argv[n++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
            s++;
    }
    return n;
}

/* Runs as a command: kvdb VERB ARGS..., or kvdb for a session. */
int main(int argc, char **argv)
{
    load();
    if (argc > 1)
        return command(argc - 1, argv + 1);
    printf("kvdb: %s, commands: set get del scan quit\n", DBFILE);
    static char line[300];
    char *av[32];
    for (;;) {
        printf("kvdb> ");
        if (!gets(line, sizeof line))
            break;
        int n = split(line, av, 32);
        if (n == 0)
            continue;
        if (strcmp(av[0], "quit") == 0)
            break;
        command(n, av);
    }
    printf("\n");
    return 0;
}
