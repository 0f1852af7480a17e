// t_sysinfo: lab 2's own system call, sysinfo(), in both modes: the figures
// are right (HZ, a clock that advances, this process counted, Smode counted
// once it switches), and bad pointers give -EFAULT through copyout.
#include <stdio.h>
#include <unistd.h>

#define TEST_NAME "t_sysinfo"
#include "testlib.h"

int main(void);

static void
check_bad_pointers(const char *mode)
{
    const unsigned int bad[] = {0, 0x1000, 0xC0000000u, 0xFFFFFFF0u, MODEPAGE,
                                (unsigned int)main}; // the last two: read-only pages
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = sysinfo((struct sysinfo *)bad[i]);
        CHECK(r == -EFAULT, "%s: sysinfo(0x%08x) returned %d, expected -EFAULT", mode, bad[i], r);
    }
    printf("sysinfo: %s: bad pointers give -EFAULT\n", mode);
}

// nproc counts every process in use, whatever its state: two children
// asleep in read and one zombie (exited, not yet waited for) count, and
// stop counting once reaped.
static void
check_counts(void)
{
    struct sysinfo before, during, after;
    int gate[2];
    CHECK(pipe(gate) == 0, "pipe");
    CHECK(sysinfo(&before) == 0, "sysinfo");
    int kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = fork();
        CHECK(kids[i] >= 0, "fork");
        if (kids[i] == 0) {
            char c;
            if (i < 2)
                read(gate[0], &c, 1); // asleep until the parent writes
            exit(0);
        }
    }
    int status;
    msleep(50); // the sleepers are in read, the third child a zombie
    CHECK(sysinfo(&during) == 0, "sysinfo");
    CHECK(during.nproc == before.nproc + 3, "nproc %u with two sleeping children and a zombie, "
          "expected %u", during.nproc, before.nproc + 3);
    CHECK(write(gate[1], "xx", 2) == 2, "write");
    for (int i = 0; i < 3; i++)
        CHECK(wait(&status) > 0, "wait");
    CHECK(sysinfo(&after) == 0, "sysinfo");
    CHECK(after.nproc == before.nproc, "nproc %u after reaping, expected %u", after.nproc,
          before.nproc);
    printf("sysinfo: nproc counts sleeping and zombie processes\n");
}

int
main(void)
{
    struct sysinfo a, b;
    unsigned int ms = uptime();
    CHECK(sysinfo(&a) == 0, "sysinfo");
    unsigned int ms_after = uptime();
    CHECK(a.hz == 100, "hz %u, expected 100", a.hz);
    CHECK(a.nproc >= 1 && a.nproc <= 64, "nproc %u", a.nproc);
    CHECK(a.nsmode == 0, "nsmode %u with no Smode process", a.nsmode);
    CHECK(a.uptime * (1000 / a.hz) >= ms && a.uptime * (1000 / a.hz) <= ms_after,
          "uptime %u is not in ticks (uptime() said %u ms, then %u ms)", a.uptime, ms, ms_after);
    msleep(30);
    CHECK(sysinfo(&b) == 0, "sysinfo");
    CHECK(b.uptime >= a.uptime + 2, "uptime did not advance over 30 ms: %u then %u", a.uptime,
          b.uptime);
    check_counts();
    printf("sysinfo: Umode: hz %u, %u processes, uptime %u -> %u\n", a.hz, a.nproc, a.uptime,
           b.uptime);
    check_bad_pointers("Umode");

    CHECK(switch_supervisor(0) == 0, "switch_supervisor");
    CHECK(read_cs() == 0x08, "not in ring 0 after the switch");
    CHECK(sysinfo(&b) == 0, "sysinfo in Smode");
    CHECK(b.nsmode == 1, "nsmode %u in Smode, expected 1", b.nsmode);
    printf("sysinfo: Smode: %u of %u processes in Smode\n", b.nsmode, b.nproc);
    check_bad_pointers("Smode");
    CHECK(switch_user(0) == 0, "switch_user");
    pass();
}
