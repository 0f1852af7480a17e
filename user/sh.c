// sh: the shell.
//   words separated by spaces or tabs; '...' and "..." quote spaces and
//   the special characters | < > ; &
//   a | b | c      a pipeline          cmd < f, cmd > f, cmd >> f
//   a ; b          one after the other
//   a &            in the background: prints [pid] and does not wait
//   built-ins: cd [DIR], exit [N], help
// A command name without '/' is the program /bin/NAME.
//
// There is no WNOHANG: wait() always blocks. So finished background jobs are
// reaped only while the shell waits for a foreground job; any child reaped
// then that is not part of that job is reported as "[pid] done (status N)".
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_SIZE 512
#define MAXARGS 32     // words per command
#define MAXCMDS 8      // commands per pipeline
#define MAXTOKENS 128

enum { T_WORD, T_PIPE, T_IN, T_OUT, T_APPEND, T_SEMI, T_AMP };

struct token {
    int type;    // T_*
    char *word;  // T_WORD: the word, quotes removed
};

struct cmd {
    char *argv[MAXARGS + 1]; // NULL-terminated
    int argc;
    char *in;    // < file, or NULL
    char *out;   // > file or >> file, or NULL
    int append;  // out was given with >>
};

static char line[LINE_SIZE];
static char words[2 * LINE_SIZE]; // the words' text: at most line + one NUL each
static struct token toks[MAXTOKENS];

// Splits s into toks[]. Returns the number of tokens, or -1 after printing
// an error.
static int
tokenize(const char *s)
{
    const char *special = "|<>;&";
    char *w = words;
    int n = 0;

    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (*s == 0)
            return n;
        if (n == MAXTOKENS) {
            eprintf("sh: too many words\n");
            return -1;
        }
        struct token *t = &toks[n++];
        t->word = NULL;
        if (strchr(special, *s)) {
            if (s[0] == '>' && s[1] == '>') {
                t->type = T_APPEND;
                s += 2;
                continue;
            }
            t->type = *s == '|' ? T_PIPE : *s == '<' ? T_IN : *s == '>' ? T_OUT
                      : *s == ';' ? T_SEMI : T_AMP;
            s++;
            continue;
        }
        // A word runs to the next blank or special character outside quotes:
        // a'b c'd is the one word "ab cd".
        t->type = T_WORD;
        t->word = w;
        while (*s && !strchr(" \t\r\n", *s) && !strchr(special, *s)) {
            if (*s == '\'' || *s == '"') {
                char quote = *s++;
                while (*s && *s != quote)
                    *w++ = *s++;
                if (*s == 0) {
                    eprintf("sh: unterminated %c\n", quote);
                    return -1;
                }
                s++;
            } else {
                *w++ = *s++;
            }
        }
        *w++ = 0;
    }
}

// Builds the commands of one pipeline from the n tokens at t (which hold no
// ';' or '&'). Returns the number of commands (0 for no tokens), or -1 after
// printing an error.
static int
parse_pipeline(struct token *t, int n, struct cmd *cmds)
{
    struct cmd *c = NULL; // the command being filled
    int nc = 0;

    for (int i = 0; i < n; i++) {
        if (c == NULL) {
            if (nc == MAXCMDS) {
                eprintf("sh: more than %d commands in a pipeline\n", MAXCMDS);
                return -1;
            }
            c = &cmds[nc++];
            memset(c, 0, sizeof(*c));
        }
        switch (t[i].type) {
        case T_WORD:
            if (c->argc == MAXARGS) {
                eprintf("sh: more than %d arguments\n", MAXARGS);
                return -1;
            }
            c->argv[c->argc++] = t[i].word;
            break;
        case T_IN:
        case T_OUT:
        case T_APPEND:
            if (i + 1 == n || t[i + 1].type != T_WORD) {
                eprintf("sh: syntax error: file name expected after %s\n",
                        t[i].type == T_IN ? "<" : t[i].type == T_OUT ? ">" : ">>");
                return -1;
            }
            if (t[i].type == T_IN) {
                c->in = t[i + 1].word;
            } else {
                c->out = t[i + 1].word;
                c->append = t[i].type == T_APPEND;
            }
            i++;
            break;
        case T_PIPE:
            if (c->argc == 0) {
                eprintf("sh: syntax error near |\n");
                return -1;
            }
            c = NULL;
            break;
        }
    }
    if (nc > 0 && (c == NULL || c->argc == 0)) { // "a |" or "< f"
        eprintf("sh: syntax error: command expected\n");
        return -1;
    }
    return nc;
}

// help: the built-ins, and the programs in /bin (read with getdents).
static int
help(void)
{
    struct dirent ents[16];
    int col = 0, got;

    printf("built-ins: cd [DIR], exit [N], help\n");
    printf("syntax: cmd args, a | b, < file, > file, >> file, a ; b, cmd &\n");
    printf("programs in /bin:\n");
    int fd = open("/bin", O_RDONLY);
    if (fd < 0) {
        eprintf("sh: /bin: %s\n", strerror(-fd));
        return 1;
    }
    while ((got = getdents(fd, ents, sizeof(ents))) > 0) {
        for (int i = 0; i < got / (int)sizeof(struct dirent); i++) {
            col += printf(" %.*s", NAME_MAX, ents[i].name);
            if (col > 64) {
                printf("\n");
                col = 0;
            }
        }
    }
    close(fd);
    if (col > 0)
        printf("\n");
    if (got < 0) {
        eprintf("sh: /bin: %s\n", strerror(-got));
        return 1;
    }
    return 0;
}

// Runs c when it is a built-in. Returns its exit status, or -1 when c is
// not a built-in.
static int
builtin(struct cmd *c)
{
    const char *name = c->argv[0];

    if (strcmp(name, "cd") == 0) {
        if (c->argc > 2) {
            eprintf("usage: cd [DIR]\n");
            return 1;
        }
        const char *dir = c->argc == 2 ? c->argv[1] : "/";
        int r = chdir(dir);
        if (r < 0) {
            eprintf("sh: cd: %s: %s\n", dir, strerror(-r));
            return 1;
        }
        return 0;
    }
    if (strcmp(name, "exit") == 0) {
        char *end = "";
        long code = c->argc == 2 ? strtol(c->argv[1], &end, 10) : 0;
        if (c->argc > 2 || *end != 0 || (c->argc == 2 && *c->argv[1] == 0)) {
            eprintf("usage: exit [N]\n");
            return 1;
        }
        exit((int)code);
    }
    if (strcmp(name, "help") == 0)
        return help();
    return -1;
}

// Opens file and puts it at fd (0 or 1). Returns 0, or -1 after an error.
static int
redirect(const char *file, int flags, int fd)
{
    int f = open(file, flags);

    if (f < 0) {
        eprintf("sh: %s: %s\n", file, strerror(-f));
        return -1;
    }
    if (f != fd) {
        dup2(f, fd);
        close(f);
    }
    return 0;
}

// The child's side of one command: connects fds 0 and 1 to the pipes (in,
// out; -1 for none), closes the pipe end that belongs to the next command
// (unused), applies the redirections, then runs the command. Never returns.
static void __attribute__((noreturn))
child(struct cmd *c, int in, int out, int unused)
{
    char path[PATH_MAX];

    if (unused >= 0)
        close(unused);
    if (in >= 0) {
        dup2(in, 0);
        close(in);
    }
    if (out >= 0) {
        dup2(out, 1);
        close(out);
    }
    if (c->in && redirect(c->in, O_RDONLY, 0) < 0)
        exit(1);
    if (c->out && redirect(c->out, O_WRONLY | O_CREAT |
                                   (c->append ? O_APPEND : O_TRUNC), 1) < 0)
        exit(1);

    int r = builtin(c); // a built-in in a pipeline or in the background
    if (r >= 0)
        exit(r);
    if (strchr(c->argv[0], '/'))
        snprintf(path, sizeof(path), "%s", c->argv[0]);
    else
        snprintf(path, sizeof(path), "/bin/%s", c->argv[0]);
    r = exec(path, c->argv);
    if (r == -ENOENT)
        eprintf("sh: %s: not found\n", c->argv[0]);
    else
        eprintf("sh: %s: %s\n", c->argv[0], strerror(-r));
    exit(127);
}

// Prints how a reaped child ended, when that is worth telling.
// name is NULL for a background child.
static void
report(int pid, const char *name, int status)
{
    if (name == NULL) {
        if (!WIFKILLED(status))
            printf("[%d] done (status %d)\n", pid, WEXITSTATUS(status));
        else if (WKILLVEC(status) == KILLED_BY_KILL)
            printf("[%d] killed\n", pid);
        else
            printf("[%d] killed (vector %d)\n", pid, WKILLVEC(status));
    } else if (WIFKILLED(status)) {
        if (WKILLVEC(status) == KILLED_BY_KILL)
            eprintf("sh: %s killed\n", name);
        else
            eprintf("sh: %s killed (vector %d)\n", name, WKILLVEC(status));
    }
}

// Waits until the n children in pids (the foreground job) have ended.
// Other children reaped meanwhile are finished background jobs.
static void
wait_job(int *pids, struct cmd *cmds, int n)
{
    int left = n, status;

    while (left > 0) {
        int pid = wait(&status);
        if (pid < 0) {
            eprintf("sh: wait: %s\n", strerror(-pid));
            return;
        }
        int k = 0;
        while (k < n && pids[k] != pid)
            k++;
        if (k == n) {
            report(pid, NULL, status);
            continue;
        }
        pids[k] = -1;
        left--;
        report(pid, cmds[k].argv[0], status);
    }
}

// Runs one pipeline made of the n tokens at t; in the background when bg.
static void
run_job(struct token *t, int n, int bg)
{
    struct cmd cmds[MAXCMDS];
    int pids[MAXCMDS];
    int nc = parse_pipeline(t, n, cmds);

    if (nc == 0 && bg)
        eprintf("sh: syntax error near &\n");
    if (nc <= 0)
        return;
    // cd and exit must change the shell itself, so a lone built-in runs
    // here; with a redirection, in a pipeline or in the background it runs
    // in a child like any command.
    if (nc == 1 && !bg && !cmds[0].in && !cmds[0].out && builtin(&cmds[0]) >= 0)
        return;

    // Children get a copy of our stdout buffer: empty it, or they would
    // print its contents again.
    fflush_stdout();
    int started = 0, prev = -1; // prev: read end of the previous pipe
    for (int k = 0; k < nc; k++) {
        int p[2] = { -1, -1 };
        if (k < nc - 1) {
            int r = pipe(p);
            if (r < 0) {
                eprintf("sh: pipe: %s\n", strerror(-r));
                break;
            }
        }
        int pid = fork();
        if (pid < 0) {
            eprintf("sh: fork: %s\n", strerror(-pid));
            if (p[0] >= 0) {
                close(p[0]);
                close(p[1]);
            }
            break;
        }
        if (pid == 0)
            child(&cmds[k], prev, p[1], p[0]);
        pids[started++] = pid;
        // The parent keeps no pipe ends, or readers would never see EOF.
        if (prev >= 0)
            close(prev);
        if (p[1] >= 0)
            close(p[1]);
        prev = p[0];
    }
    if (prev >= 0)
        close(prev);

    if (bg) {
        if (started > 0)
            printf("[%d]\n", pids[started - 1]);
        return;
    }
    wait_job(pids, cmds, started);
}

// Runs the jobs of one line: pipelines separated by ';' or '&'.
static void
run_line(const char *s)
{
    int n = tokenize(s), start = 0;

    for (int i = 0; i <= n; i++) {
        if (i < n && toks[i].type != T_SEMI && toks[i].type != T_AMP)
            continue;
        run_job(&toks[start], i - start, i < n && toks[i].type == T_AMP);
        start = i + 1;
    }
}

int
main(void)
{
    for (;;) {
        printf("$ ");
        int r = fgets_fd(line, sizeof(line), 0); // flushes the prompt first
        if (r == 0)
            exit(0);
        if (r < 0) {
            eprintf("sh: read: %s\n", strerror(-r));
            exit(1);
        }
        if (r == sizeof(line) - 1 && line[r - 1] != '\n') {
            // Drop the rest of the line rather than run it as a command.
            char c;
            while (read(0, &c, 1) == 1 && c != '\n')
                ;
            eprintf("sh: line too long\n");
            continue;
        }
        run_line(line);
    }
}
