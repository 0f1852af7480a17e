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

int
main(void)
{
    struct sysinfo a, b;
    CHECK(sysinfo(&a) == 0, "sysinfo");
    CHECK(a.hz == 100, "hz %u, expected 100", a.hz);
    CHECK(a.nproc >= 1 && a.nproc <= 64, "nproc %u", a.nproc);
    CHECK(a.nsmode == 0, "nsmode %u with no Smode process", a.nsmode);
    msleep(30);
    CHECK(sysinfo(&b) == 0, "sysinfo");
    CHECK(b.uptime >= a.uptime + 2, "uptime did not advance over 30 ms: %u then %u", a.uptime,
          b.uptime);
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
