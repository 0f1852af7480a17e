// t_sleep_long: msleep(0xFFFFFFFF) sleeps (49.7 days), it does not wrap
// to a sleep of 0 ticks: the child has not returned 100 ms later.
#define TEST_NAME "t_sleep_long"
#include "testlib.h"

int
main(void)
{
    static const unsigned int longest[] = {0xFFFFFFFFu, 0xFFFFFFF7u};
    for (int i = 0; i < 2; i++) {
        int pid = fork();
        if (pid == 0)
            _exit(msleep(longest[i]) == 0 ? 2 : 3);
        CHECK(pid > 0, "fork");
        CHECK(msleep(100) == 0, "msleep(100)");
        struct procinfo pi;
        CHECK(modeinfo(pid, &pi) == 0 && pi.state != PS_ZOMBIE, // woken by each tick, it sleeps on
              "msleep(0x%x) returned at once (child state %d)", longest[i], pi.state);
        CHECK(kill(pid) == 0, "kill");
        int s = wait_child(pid);
        CHECK(WIFKILLED(s) && WKILLVEC(s) == KILLED_BY_KILL, "status 0x%x", s);
    }
    pass();
}
