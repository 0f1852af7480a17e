// t_smode_edge: system calls made with the AP's stack pointer at the very
// bottom of its stack reservation (just above the guard page): through the
// function receiver's slow path (a bad number) and fast path (getpid), and
// by int 0x80 from Umode with a switch to Smode applied at its tail. Where
// the return to ring 0 has no room, the process is killed (page fault or
// double fault); the kernel never panics.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_smode_edge"
#include "testlib.h"

#define USTACKBASE 0xBFFEE000u

// Call the function receiver with ESP = sp. Returns EAX.
static int
fcall_at(unsigned int sp, int nr, int arg)
{
    int r;
    unsigned int fc = ((volatile struct modepage *)MODEPAGE)->fcall;
    __asm__ volatile("mov %%esp, %%esi\n\t"
                     "mov %[sp], %%esp\n\t"
                     "call *%[fc]\n\t"
                     "mov %%esi, %%esp"
                     : "=a"(r)
                     : "a"(nr), "b"(arg), [sp] "c"(sp), [fc] "d"(fc)
                     : "esi", "memory");
    return r;
}

// int 0x80 with ESP = sp.
static int
int80_at(unsigned int sp, int nr, int arg)
{
    int r;
    __asm__ volatile("mov %%esp, %%esi\n\t"
                     "mov %[sp], %%esp\n\t"
                     "int $0x80\n\t"
                     "mov %%esi, %%esp"
                     : "=a"(r)
                     : "a"(nr), "b"(arg), [sp] "c"(sp)
                     : "esi", "memory");
    return r;
}

static int
child(int how, unsigned int off)
{
    int pid = fork();
    if (pid == 0) {
        if (how < 2 && switch_supervisor(0) != 0)
            _exit(2);
        int r = 0;
        if (how == 0) // slow path: a bad number
            r = fcall_at(USTACKBASE + off, 999, 0);
        else if (how == 1) // fast path
            r = fcall_at(USTACKBASE + off, SYS_getpid, 0);
        else // from Umode, a switch to Smode applied at the tail of int 0x80
            r = int80_at(USTACKBASE + off, SYS_switch_supervisor, 0);
        _exit(how == 0 ? (r == -ENOSYS ? 0 : 5)
              : how == 1 ? (r == getpid() ? 0 : 6)
                         : (r == 0 && read_cs() == 8 ? 0 : 7));
    }
    return wait_child(pid);
}

#define K8 (WAIT_KILLED_BIT | 8)
#define K14 (WAIT_KILLED_BIT | 14)

int
main(void)
{
    struct vmstat v0 = vm();
    // Far from the bottom: every way works.
    for (int how = 0; how < 3; how++) {
        int st = child(how, 256);
        CHECK(st == 0, "way %d with room on the stack: status 0x%x", how, st);
    }
    // The slow path of the function receiver needs 12 bytes below the
    // caller's ESP (trapret's return frame). With 8 the call cannot return
    // to ring 0: the process dies, not the kernel. (A tick landing while
    // the receiver is still on the AP stack may make it a double fault.)
    for (int i = 0; i < 2; i++) {
        int st = child(0, 8);
        CHECK(st == K14 || st == K8, "slow path, 8 bytes left: status 0x%x", st);
        st = child(0, 12);
        CHECK(st == 0 || st == K8, "slow path, 12 bytes left: status 0x%x", st);
        st = child(0, 4); // the receiver's push ebp hits the guard page
        CHECK(st == K8, "slow path, 4 bytes left: status 0x%x", st);
        st = child(1, 0); // the call itself hits the guard page
        CHECK(st == K8, "fast path, no stack left: status 0x%x", st);
        st = child(1, 8); // the fast path needs only the 8 bytes (unless a tick makes it slow)
        CHECK(st == 0 || st == K14 || st == K8, "fast path, 8 bytes left: status 0x%x", st);
    }
    // A Umode process at the very bottom of its stack switched to Smode at
    // the tail of its int 0x80: ring 3 never used those 12 bytes.
    for (unsigned int off = 0; off < 12; off += 4) {
        int st = child(2, off);
        CHECK(st == K14, "switch to Smode with %u bytes left: status 0x%x", off, st);
    }
    int st = child(2, 12);
    CHECK(st == 0 || st == K8, "switch to Smode with 12 bytes left: status 0x%x", st);

    // The system still works, and nothing leaked.
    CHECK(child(0, 256) == 0 && child(1, 256) == 0, "afterwards");
    struct vmstat v = vm();
    CHECK(v.pinned_frames == v0.pinned_frames && v.free_frames == v0.free_frames,
          "pinned %u (was %u), free %u (was %u)", v.pinned_frames, v0.pinned_frames,
          v.free_frames, v0.free_frames);
    CHECK(read_cs() == 0x1b && getpid() == 1, "parent");
    pass();
}
