// t_compat: the paper's requirement 1, program compatibility, with a binary
// built for the conventional library (version 1: int 0x80 stubs, no mode
// test, the same soname), /test/old/compat:
//  - linked dynamically, it gets today's mode-aware /lib/libsys.so at exec:
//    switched to Smode by this manager, it makes every system call by
//    `call` (its count of int 0x80 entries does not grow), unchanged;
//  - linked statically (/test/old/compat-static), its old stubs are in the
//    binary: switched to Smode, it still enters by int 0x80, from ring 0,
//    and the kernel serves those calls (docs/dmsm.md section 16).
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_compat"
#include "testlib.h"

#define ROUNDS "1000" // compat's loop: a getpid and an uptime each

static struct procinfo
info(int pid)
{
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(%d)", pid);
    return pi;
}

// Run /test/old/NAME: wait until it sleeps in its read (its "go"), switch
// it to Smode meanwhile (applied at the tail of that read), let it go, and
// return how many int 0x80 entries it made after the switch.
static unsigned int
int80_after_switch(const char *name)
{
    int go[2];
    CHECK(pipe(go) == 0, "pipe");
    int pid = fork();
    if (pid == 0) {
        dup2(go[0], 0);
        char path[64];
        snprintf(path, sizeof path, "/test/old/%s", name);
        char *argv[] = {path, ROUNDS, 0};
        exec(path, argv);
        exit(99);
    }
    CHECK(pid > 0, "fork");
    struct procinfo pi = info(pid);
    for (int tries = 0; pi.state != PS_SLEEPING && tries < 500; tries++) {
        msleep(10);
        pi = info(pid);
    }
    CHECK(pi.state == PS_SLEEPING, "%s never waited for its go", name);
    CHECK(switch_supervisor(pid) == 0, "switch_supervisor(%s)", name);
    unsigned int before = info(pid).int80; // its read entered by int 0x80, before the switch
    CHECK(write(go[1], "g", 1) == 1, "write go");
    for (int tries = 0; (pi = info(pid)).state != PS_ZOMBIE && tries < 1000; tries++)
        msleep(10);
    CHECK(pi.state == PS_ZOMBIE && pi.mode == MODE_SMODE, "%s did not end in Smode", name);
    int status = wait_child(pid);
    CHECK(status == 0, "%s exited with status 0x%x", name, status);
    close(go[0]), close(go[1]);
    return pi.int80 - before;
}

int
main(void)
{
    unsigned int dyn = int80_after_switch("compat");
    printf("compat: the old binary, linked against today's libsys.so: %u int 0x80 entries after "
           "the switch\n", dyn);
    CHECK(dyn == 0, "the dynamically linked old binary entered by int 0x80 %u times in Smode", dyn);
    unsigned int stat = int80_after_switch("compat-static");
    printf("compat: the old binary with its own static stubs: %u int 0x80 entries after the "
           "switch, served from ring 0\n", stat);
    CHECK(stat >= 2000, "the static old binary made %u int 0x80 entries, expected every call", stat);
    pass();
}
