// t_msg_flood: kernel messages that any program can cause are rate-limited.
// 2000 unknown system calls and 200 refused switches print at most
// RATELIMIT_BURST (10) lines of each kind per second of ticks (cases.ini
// counts them with at_most, which allows for a flood of up to 3 s; QEMU
// takes a few ms); a second later, the next one reports how many were
// suppressed.
#define TEST_NAME "t_msg_flood"
#include "testlib.h"

// switch_supervisor(0) by int 0x80 with ESP inside the kernel: refused at the tail
static int
refused_switch(void)
{
    int r;
    __asm__ volatile("mov %%esp, %%esi; mov $0xC0001000, %%esp; int $0x80; mov %%esi, %%esp"
                     : "=a"(r) : "a"(SYS_switch_supervisor), "b"(0) : "esi", "memory");
    return r;
}

int
main(void)
{
    unsigned int t0 = uptime();
    for (int i = 0; i < 2000; i++)
        CHECK(syscall5(1000 + i, 0, 0, 0, 0, 0) == -ENOSYS, "call %d", 1000 + i);
    for (int i = 0; i < 200; i++)
        CHECK(refused_switch() == 0 && read_cs() == 0x1b, "refused switch %d", i);
    printf("t_msg_flood: the flood took %u ms\n", uptime() - t0);
    CHECK(msleep(1100) == 0, "msleep");
    CHECK(syscall5(5000, 0, 0, 0, 0, 0) == -ENOSYS, "call 5000");
    CHECK(refused_switch() == 0, "refused switch");
    pass();
}
