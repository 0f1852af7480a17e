// t_abuse: a ring-3 program doing legal but hostile things with flags,
// segment registers, its stack pointer and the file system must not bring
// the kernel down or hurt another process (each case found by review):
//  - sysenter with NT, TF or DF set, or with null DS/ES, and from Smode;
//  - DF left set by one process must not reach another's system calls;
//  - NT set in ring 3, then a switch to Smode;
//  - a switch to Smode requested with ESP pointing into the kernel: refused
//    (and the reason cleared by the next request);
//  - kernel data selectors loaded in Smode, then a switch to Umode;
//  - creating files in a removed working directory;
//  - kill(1) by anyone but init;
//  - IOPL 3, set by Smode code, must not survive a return to Umode (nor exec).
#define TEST_NAME "t_abuse"
#include <string.h>
#include "testlib.h"

// Run fn in a child and return its wait status.
static int
in_child(void (*fn)(void))
{
    int pid = fork();
    if (pid == 0) {
        fn();
        exit(0);
    }
    CHECK(pid > 0, "fork %d", pid);
    return wait_child(pid);
}

static void
sysenter_nt(void)
{
    set_flags(FL_NT);
    if (sysenter_getpid() != getpid() || sysenter_getpid() != getpid())
        exit(2);
}

static void
sysenter_tf(void)
{
    // popf sets TF; the single-step trap comes after the next instruction,
    // sysenter, so it lands on the kernel's first instruction in ring 0
    int pid;
    __asm__ volatile("mov %1, %%eax; mov %%esp, %%ecx; lea 1f, %%edx;"
                     "pushfl; orl $0x100, (%%esp); popfl; sysenter; 1:"
                     : "=a"(pid) : "i"(SYS_getpid) : "ecx", "edx", "memory", "cc");
    exit(pid == getpid() ? 0 : 2);
}

static void
sysenter_null_ds(void)
{
    int pid;
    __asm__ volatile("push %%ds; push %%es; xor %%eax, %%eax; mov %%ax, %%ds; mov %%ax, %%es;"
                     "mov %1, %%eax; mov %%esp, %%ecx; lea 1f, %%edx; sysenter; 1:"
                     "pop %%es; pop %%ds"
                     : "=a"(pid) : "i"(SYS_getpid) : "ecx", "edx", "memory");
    exit(pid == getpid() ? 0 : 2);
}

static void
sysenter_df(void)
{
    set_flags(FL_DF);
    int r = sysenter_getpid();
    __asm__ volatile("cld");
    exit(r == getpid() ? 0 : 2);
}

// sysenter also works in ring 0: an Smode caller must come back in ring 0
// (the slow exit, sysenter_tail), with the flags it called with.
static void
sysenter_from_smode(void)
{
    if (switch_supervisor(0) != 0 || read_cs() != 0x08)
        exit(2);
    set_flags(FL_DF);
    int r = sysenter_getpid();
    unsigned int fl = eflags();
    __asm__ volatile("cld");
    if (read_cs() != 0x08)
        exit(3); // came back in another ring
    if (!(fl & FL_DF))
        exit(4); // its flags were not kept
    exit(r == getpid() ? 0 : 5);
}

static void
nt_then_smode(void)
{
    set_flags(FL_NT);
    if (switch_supervisor(0) != 0 || read_cs() != 0x08)
        exit(2);
    for (int i = 0; i < 20; i++) // sleep through the fast path, resume, repeat
        if (msleep(10) != 0)
            exit(3);
    if (eflags() & FL_NT)
        exit(4); // the switch must not carry NT into ring 0
    exit(0);
}

static void
smode_with_kernel_esp(void)
{
    // switch_supervisor(0) by int 0x80 with ESP inside the kernel: the
    // request is registered, then refused at the tail; ESP is restored.
    int r;
    __asm__ volatile("mov %%esp, %%esi; mov $0xC0001000, %%esp; int $0x80; mov %%esi, %%esp"
                     : "=a"(r) : "a"(SYS_switch_supervisor), "b"(0) : "esi", "memory");
    struct procinfo pi;
    if (r != 0 || read_cs() != 0x1b || modeinfo(0, &pi) != 0 || pi.mode != MODE_UMODE ||
        pi.refused != -EFAULT)
        exit(2);
    // a new request clears the reason the last one was refused
    if (switch_supervisor(0) != 0 || modeinfo(0, &pi) != 0 || pi.mode != MODE_SMODE ||
        pi.refused != 0)
        exit(3);
    exit(0);
}

// Smode code may load the kernel's data selector into DS, ES, FS and GS
// (ring 0 may). Demoted, the program must come back to ring 3 with the
// flat user data selector in all four: the CPU would load a null selector
// for a kernel one at the return to ring 3 (Bochs does, and faults at the
// next access; QEMU keeps the kernel selector, so read them back).
static void
kernel_selectors_then_umode(void)
{
    if (switch_supervisor(0) != 0 || read_cs() != 0x08)
        exit(2);
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs"
                     : : "r"(0x10) : "memory");
    if (switch_user(0) != 0 || read_cs() != 0x1b)
        exit(3);
    unsigned int ds, es, fs, gs;
    __asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                     : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    if ((ds & 0xFFFF) != 0x23 || (es & 0xFFFF) != 0x23 || (fs & 0xFFFF) != 0x23 ||
        (gs & 0xFFFF) != 0x23)
        exit(4);
    exit(0);
}

// Smode code may set IOPL 3 (popfd in ring 0). Demoted by an int 0x80 from
// ring 0 (whose frame holds the live EFLAGS), the program must come back to
// ring 3 with IOPL 0: with IOPL 3 a Umode program could run cli and stop the
// machine, or reach the disk and the PIC.
static void
iopl_then_umode(void)
{
    if (switch_supervisor(0) != 0 || read_cs() != 0x08)
        exit(2);
    set_flags(FL_IOPL);
    if ((eflags() & FL_IOPL) != FL_IOPL)
        exit(3); // ring 0 may set it
    int r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(SYS_switch_user), "b"(0) : "memory");
    if (r != 0 || read_cs() != 0x1b)
        exit(4);
    if (eflags() & FL_IOPL)
        exit(5); // IOPL 3 carried into ring 3
    exit(0);
}

int
main(void)
{
    CHECK(in_child(sysenter_nt) == 0, "sysenter with NT");
    int s = in_child(sysenter_tf);
    CHECK(s == 0, "sysenter with TF: status 0x%x", s);
    CHECK(in_child(sysenter_null_ds) == 0, "sysenter with null DS/ES");
    CHECK(in_child(sysenter_df) == 0, "sysenter with DF");
    s = in_child(sysenter_from_smode);
    CHECK(s == 0, "sysenter from Smode: status 0x%x", s);
    CHECK(in_child(nt_then_smode) == 0, "NT, then Smode");
    CHECK(in_child(smode_with_kernel_esp) == 0, "Smode with ESP in the kernel");
    s = in_child(kernel_selectors_then_umode);
    CHECK(s == 0, "kernel selectors in Smode, then Umode: status 0x%x", s);
    s = in_child(iopl_then_umode);
    CHECK(s == 0, "IOPL 3 from Smode, then Umode: status 0x%x", s);

    // DF set in one process must not reach another: an Smode child sleeps
    // on the fast path while a Umode child spins with DF set.
    int spinner = fork();
    if (spinner == 0) {
        __asm__ volatile("std");
        for (;;)
            ;
    }
    int sleeper = fork();
    if (sleeper == 0) {
        if (switch_supervisor(0) != 0)
            exit(2);
        for (int i = 0; i < 50; i++) {
            msleep(10);
            if (eflags() & FL_DF)
                exit(3);
        }
        exit(0);
    }
    CHECK(wait_child(sleeper) == 0, "DF leaked into another process");
    kill(spinner);
    wait_child(spinner);

    // a removed working directory takes no new entries
    CHECK(mkdir("/zza") == 0 && chdir("/zza") == 0 && unlink("/zza") == 0, "remove cwd");
    CHECK(mkdir("b") == -ENOENT, "mkdir in a removed directory");
    CHECK(open("f", O_CREAT | O_RDWR) == -ENOENT, "create in a removed directory");
    CHECK(chdir("..") == 0 && chdir("/") == 0, "chdir out");

    // only init may kill init (this test is init)
    int c = fork();
    if (c == 0)
        exit(kill(1) == -EPERM ? 0 : 2);
    CHECK(wait_child(c) == 0, "kill(1) by a child");
    pass();
}
