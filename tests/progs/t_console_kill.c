// t_console_kill: a read of the console never holds bytes of a line while it
// sleeps, so a kill cannot drop them. The harness types a line of exactly
// 256 characters (the console's buffer) with no newline: the buffer commits
// it as it is. A child reading 512 bytes must get all 256 at once, not take
// them and sleep on for the rest of the line, and lose them when killed.
#define TEST_NAME "t_console_kill"
#include "testlib.h"

int
main(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    int pid = fork();
    if (pid == 0) {
        static char buf[512];
        for (;;) { // pass on everything read; the last read is killed
            int n = read(0, buf, sizeof buf);
            if (n <= 0 || write(fds[1], buf, n) != n)
                _exit(2);
        }
    }
    CHECK(pid > 0, "fork");
    close(fds[1]);
    struct procinfo pi;
    do // until the child waits for input, with the whole buffer consumed or not
        CHECK(msleep(20) == 0 && modeinfo(pid, &pi) == 0, "modeinfo");
    while (pi.state != PS_SLEEPING);
    CHECK(msleep(50) == 0 && kill(pid) == 0, "kill");
    int s = wait_child(pid);
    CHECK(WIFKILLED(s), "child status 0x%x", s);
    static char got[600];
    int total = 0, n;
    while ((n = read(fds[0], got + total, sizeof got - total)) > 0)
        total += n;
    CHECK(total == 256, "the killed reader passed on %d of the 256 bytes typed", total);
    for (int i = 0; i < 256; i++)
        CHECK(got[i] == "abcdefgh"[i % 8], "byte %d is %d", i, got[i]);
    pass();
}
