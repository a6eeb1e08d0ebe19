/* sh: the shell. Reads command lines (typed or piped), runs programs with
 * arguments, `&` for background jobs, `<` `>` `>>` redirection and pipelines
 * of up to four programs joined by `|`.
 * Built-ins: cd, exit, help, jobs. */
#include "ulib.h"

#define PROMPT "os$ "
#define MAXLINE 256
#define MAXARGS 16
#define MAXJOBS 16
#define MAXSTAGES 4

struct stage {
    char *argv[MAXARGS + 1];
    char *in, *out;
    int append;
};

struct cmdline {
    struct stage st[MAXSTAGES];
    int nstages;
    int background;
};

static int jobs[MAXJOBS];

/* Runs for each line: split into words and the operators | < > >> &;
 * "..." and '...' quote. Returns the number of tokens, -1 on a syntax error. */
static int tokenize(char *s, char **tok, int max)
{
    int n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            *s++ = 0;
        if (!*s || *s == '#')
            break;
        if (n >= max)
            return -1;
        if (*s == '|' || *s == '<' || *s == '&' || *s == '>') {
            static char ops[MAXARGS * 3][3];
            char *op = ops[n];
            op[0] = *s;
            op[1] = op[2] = 0;
            *s++ = 0;
            if (op[0] == '>' && *s == '>') {
                op[1] = '>';
                *s++ = 0;
            }
            tok[n++] = op;
            continue;
        }
        if (*s == '"' || *s == '\'') {
            char q = *s++;
            tok[n++] = s;
            while (*s && *s != q)
                s++;
            if (!*s)
                return -1;
            *s++ = 0;
            continue;
        }
        tok[n++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '|' && *s != '<' &&
               *s != '>' && *s != '&')
            s++;
    }
    return n;
}

/* Runs for each line: tokens into at most MAXSTAGES stages. -1 on a syntax error. */
static int parse(char **tok, int n, struct cmdline *c)
{
    memset(c, 0, sizeof *c);
    c->nstages = 1;
    struct stage *st = &c->st[0];
    int argc = 0;
    for (int i = 0; i < n; i++) {
        char *t = tok[i];
        if (strcmp(t, "|") == 0) {
            if (c->nstages == MAXSTAGES || argc == 0)
                return -1;
            st = &c->st[c->nstages++];
            argc = 0;
        } else if (strcmp(t, "&") == 0) {
            if (i != n - 1)
                return -1;
            c->background = 1;
        } else if (strcmp(t, "<") == 0 || strcmp(t, ">") == 0 || strcmp(t, ">>") == 0) {
            if (i + 1 >= n || strchr("|<>&", tok[i + 1][0]))
                return -1;
            if (t[0] == '<') {
                st->in = tok[++i];
            } else {
                st->out = tok[++i];
                st->append = t[1] == '>';
            }
        } else {
            if (argc >= MAXARGS)
                return -1;
            st->argv[argc++] = t;
        }
    }
    for (int i = 0; i < c->nstages; i++)
        if (!c->st[i].argv[0])
            return c->nstages == 1 && !c->st[0].in && !c->st[0].out && !c->background ? 0 : -1;
    return 1;
}

/* Runs in a child: set up its redirections and become the program. */
static void run_stage(struct stage *st)
{
    if (st->in) {
        close(0);
        if (open(st->in, O_RDONLY) != 0) {
            fprintf(2, "sh: cannot open %s\n", st->in);
            exit(1);
        }
    }
    if (st->out) {
        close(1);
        if (open(st->out, O_WRONLY | O_CREATE | (st->append ? O_APPEND : O_TRUNC)) != 1) {
            fprintf(2, "sh: cannot create %s\n", st->out);
            exit(1);
        }
    }
    exec(st->argv[0], st->argv);
    fprintf(2, "sh: %s: command not found\n", st->argv[0]);
    exit(127);
}

/* Runs in the job's first child: a pipeline is one child per stage, each
 * reading the previous one's pipe and writing the next one's. */
static void run_job(struct cmdline *c)
{
    if (c->nstages == 1)
        run_stage(&c->st[0]);
    int prev = -1;
    for (int i = 0; i < c->nstages; i++) {
        int fds[2] = { -1, -1 };
        if (i + 1 < c->nstages && pipe(fds) < 0) {
            fprintf(2, "sh: pipe failed\n");
            exit(1);
        }
        if (fork() == 0) {
            if (prev >= 0) {
                close(0);
                dup(prev);
                close(prev);
            }
            if (fds[1] >= 0) {
                close(1);
                dup(fds[1]);
                close(fds[0]);
                close(fds[1]);
            }
            run_stage(&c->st[i]);
        }
        if (prev >= 0)
            close(prev);
        if (fds[1] >= 0)
            close(fds[1]);
        prev = fds[0];
    }
    int status, last = 0;
    while (wait(&status) > 0)
        last = status;
    exit(last);
}

/* Runs when a job ends: forget it, and say so if it ran in the background. */
static void job_done(int pid, int status, int announce)
{
    for (int i = 0; i < MAXJOBS; i++)
        if (jobs[i] == pid) {
            jobs[i] = 0;
            if (announce)
                printf("[%d] done (status %d)\n", pid, status);
        }
}

/* Runs before each prompt: collect background jobs that have finished. */
static void reap(void)
{
    int status, pid;
    while ((pid = waitpid_any(&status, 1)) > 0)
        job_done(pid, status, 1);
}

/* Runs for the built-in commands; 1 if line was one. */
static int builtin(char **argv)
{
    if (strcmp(argv[0], "cd") == 0) {
        if (chdir(argv[1] ? argv[1] : "/") < 0)
            fprintf(2, "sh: cd: %s: no such directory\n", argv[1] ? argv[1] : "/");
        return 1;
    }
    if (strcmp(argv[0], "exit") == 0)
        exit(argv[1] ? (int)atol(argv[1]) : 0);
    if (strcmp(argv[0], "jobs") == 0) {
        for (int i = 0; i < MAXJOBS; i++)
            if (jobs[i])
                printf("[%d] running\n", jobs[i]);
        return 1;
    }
    if (strcmp(argv[0], "help") == 0) {
        printf("commands: ls cat echo ps kill mkdir rm wc uptime poweroff selftest trapdemo kvdb "
               "cpuhog iohog sleep sh\n"
               "built-ins: cd exit jobs help;  cmd &   cmd < in   cmd > out   cmd >> out   a | b\n"
               "keys: Backspace, Ctrl-U (erase line), Ctrl-C (interrupt), Ctrl-D (end of input)\n");
        return 1;
    }
    return 0;
}

/* Runs as the shell process, started by init. */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static char line[MAXLINE];
    char *tok[MAXARGS * 3];
    struct cmdline c;
    setfg(0);
    for (;;) {
        reap();
        printf(PROMPT);
        if (!gets(line, sizeof line)) {
            printf("\n");
            exit(0);
        }
        int n = tokenize(line, tok, MAXARGS * 3);
        int r = n < 0 ? -1 : parse(tok, n, &c);
        if (r < 0) {
            fprintf(2, "sh: syntax error\n");
            continue;
        }
        if (r == 0)
            continue;
        if (c.nstages == 1 && !c.background && builtin(c.st[0].argv))
            continue;
        int pid = fork();
        if (pid < 0) {
            fprintf(2, "sh: fork failed\n");
            continue;
        }
        if (pid == 0)
            run_job(&c);
        if (c.background) {
            for (int i = 0; i < MAXJOBS; i++)
                if (!jobs[i]) {
                    jobs[i] = pid;
                    break;
                }
            setfg(pid);             /* a job of its own ... */
            setfg(0);               /* ... that Ctrl-C does not reach */
            printf("[%d]\n", pid);
            continue;
        }
        setfg(pid);
        int status, w;
        while ((w = wait(&status)) > 0 && w != pid)
            job_done(w, status, 1);
        setfg(0);
    }
}
