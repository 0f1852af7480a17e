// t_msg_flood: kernel messages that any program can cause are rate-limited.
// 2000 unknown system calls, 200 refused switches and, in Smode, 200 refused
// execs of an untrusted program (a copy of this one in /tmp) print at most
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

#define COPY "/tmp/t_msg_flood"

// An untrusted program: the head of this one (exec refuses it in Smode
// after reading its ELF header, before anything else).
static void
make_untrusted_copy(void)
{
    static char head[512];
    int in = open("/test/t_msg_flood", O_RDONLY);
    CHECK(in >= 0 && read(in, head, sizeof(head)) == (int)sizeof(head), "read own head");
    close(in);
    int out = open(COPY, O_CREAT | O_WRONLY | O_TRUNC);
    CHECK(out >= 0 && write(out, head, sizeof(head)) == (int)sizeof(head), "write " COPY);
    close(out);
}

// exec of the untrusted copy, from Smode: refused with -EPERM, still Smode
static int
refused_exec(void)
{
    char *argv[] = {COPY, 0};
    return exec(COPY, argv) == -EPERM && current_mode() == MODE_SMODE;
}

int
main(void)
{
    unsigned int t0 = uptime();
    for (int i = 0; i < 2000; i++)
        CHECK(syscall5(1000 + i, 0, 0, 0, 0, 0) == -ENOSYS, "call %d", 1000 + i);
    for (int i = 0; i < 200; i++)
        CHECK(refused_switch() == 0 && read_cs() == 0x1b, "refused switch %d", i);
    make_untrusted_copy();
    CHECK(switch_supervisor(0) == 0 && current_mode() == MODE_SMODE, "switch to Smode");
    for (int i = 0; i < 200; i++)
        CHECK(refused_exec(), "refused exec %d", i);
    printf("t_msg_flood: the flood took %u ms\n", uptime() - t0);
    CHECK(msleep(1100) == 0, "msleep");
    CHECK(syscall5(5000, 0, 0, 0, 0, 0) == -ENOSYS, "call 5000");
    CHECK(refused_exec(), "refused exec");
    CHECK(switch_user(0) == 0 && current_mode() == MODE_UMODE, "back to Umode");
    CHECK(refused_switch() == 0, "refused switch");
    unlink(COPY);
    pass();
}
