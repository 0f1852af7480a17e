// t_badelf: the kernel's linker refuses malformed dynamically linked
// binaries (made by tools/mkbadelf.py) with an error from exec, in both
// modes, and the process that tried goes on. Each exec also prints one line
// naming the problem (tests/cases.ini checks them).
#include <stdio.h>
#include <unistd.h>

#define TEST_NAME "t_badelf"
#include "testlib.h"

static const struct {
    const char *name;
    int err;
} bad[] = {
    {"nolib", -ENOENT},    {"reltype", -ENOEXEC},  {"copyrel", -ENOEXEC}, {"nosym", -ENOEXEC},
    {"pastfile", -ENOEXEC}, {"badname", -ENOEXEC}, {"badsym", -ENOEXEC},  {"notelf", -ENOEXEC},
    {"loop", -ELOOP},      {"textrel", -ENOEXEC},  {"shortlib", -ENOEXEC},
};

// exec /test/bad/NAME in a child (switched to Smode first if smode); the
// child exits with exec's error, negated, and so shows it went on.
static int
try_exec(const char *name, int smode)
{
    int pid = fork();
    if (pid == 0) {
        if (smode && (switch_supervisor(0) != 0 || read_cs() != 0x08))
            exit(100);
        char path[64];
        snprintf(path, sizeof path, "/test/bad/%s", name);
        char *argv[] = {path, 0};
        int r = exec(path, argv);
        exit(-r);
    }
    CHECK(pid > 0, "fork");
    int status = wait_child(pid);
    CHECK(!WIFKILLED(status), "the child that exec'd %s was killed (status 0x%x)", name, status);
    return -WEXITSTATUS(status);
}

int
main(void)
{
    for (int smode = 0; smode < 2; smode++)
        for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            if (!smode && i % 5 == 0)
                msleep(1100); // the lines are rate-limited (ten a second): all in Umode
            int r = try_exec(bad[i].name, smode);
            CHECK(r == bad[i].err, "%s in %s: exec returned %d, expected %d", bad[i].name,
                  smode ? "Smode" : "Umode", r, bad[i].err);
        }
    printf("badelf: %u malformed binaries refused in both modes\n",
           (unsigned int)(sizeof(bad) / sizeof(bad[0])));
    char *argv[] = {"/bin/true", 0}; // and a good one still runs
    int pid = fork();
    if (pid == 0)
        exit(-exec("/bin/true", argv));
    CHECK(wait_child(pid) == 0, "/bin/true");
    pass();
}
