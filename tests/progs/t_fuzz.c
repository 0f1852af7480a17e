// t_fuzz: random system calls with hostile arguments, in both modes, from
// fixed seeds (the same calls every run). "Bad input never takes the kernel
// down": each child makes CALLS calls with numbers and arguments drawn from
// a pool of nasty values (kernel addresses, the read-only control area, the
// guard page, page-straddling buffers, huge lengths, negative numbers,
// names of 300 characters...); Smode children also set NT, AC and TF and
// point ESP at the edge of user space (smode_hazard). Whatever each call returns, the kernel must
// survive, and afterwards the machine must be whole: no process left, no
// pinned frame or swap slot leaked, every frame back once the files the
// children made are removed, and fork/exec still working.
//
// Even-numbered children fuzz as Umode processes, odd ones as Smode
// processes (through the function receiver). All drop the right to promote
// first, so that the switch calls are refused for other processes and the
// parent stays Smode: resident, out of the page-out counts. An Smode process is trusted
// with ring 0, so its pointers stay off its own stack and code: a read()
// over its own return address would be the program's bug, not the kernel's.
//
// usage: t_fuzz [ROUNDS [FIRST [squeeze]]]  rounds FIRST.. (default 48 from 0);
//                                squeeze: with memory kept full (start_hog)
//        t_fuzz trace R          round R alone, in this process, printing each
//                                call (it is init then: its death powers off)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_fuzz"
#include "testlib.h"
#include "faults.h"

#define CALLS 256
#define PAGE 4096u

static unsigned int rng;

static unsigned int
next(void) // xorshift32
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static unsigned int
pick(unsigned int n)
{
    return next() % n;
}

// Page-aligned scratch: what a "valid" pointer points at. Two pages, so a
// buffer can straddle into the second; nothing in it is control data.
static char scratch[2 * PAGE] __attribute__((aligned(4096)));

// Fill scratch with a name of len characters from {a, b}: relative, so the
// files and directories the children make all land in /fz (their cwd).
static char *
random_name(void)
{
    unsigned int len = pick(8) == 0 ? 200 + pick(200) : pick(6);
    for (unsigned int i = 0; i < len; i++)
        scratch[i] = "ab"[pick(2)];
    scratch[len] = 0;
    return scratch;
}

// A call by `int 0x80` whatever the mode: from an Smode child this is the
// interrupt receiver entered from ring 0 (alltraps moves the frame off the
// program's stack), a path the mode-aware stubs never take.
static int
int80(int nr, int a, int b, int c, int d, int e)
{
    int ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory", "cc");
    return ret;
}

// One argument: a pool of values that have broken kernels before.
static int
random_arg(int smode)
{
    int local; // an address on this process's stack (Umode only)
    switch (pick(smode ? 17 : 20)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return -1;
    case 3: return (int)pick(64);              // small numbers: fds, pids, lengths
    case 4: return (int)next();                // anything
    case 5: return 0x7fffffff;
    case 6: return (int)0x80000000u;
    case 7: return (int)KERNBASE;              // the first kernel address
    case 8: return (int)(KERNBASE - 1);        // a buffer ending in the kernel
    case 9: return (int)0xC0100000u;           // kernel text
    case 10: return (int)MODEPAGE;              // user-readable, not writable
    case 11: return (int)(MODEPAGE + PAGE - 2); // straddles out of user space
    case 12: return (int)random_name();
    case 13: return (int)(scratch + PAGE - 3);  // straddles two pages
    case 14: return (int)(PAGE * (1 + pick(8))); // page 0 and low, unmapped pages
    case 15: return (int)0x10000000u;           // unmapped, far from everything
    case 16: return (int)(sbrk(0) + pick(3 * PAGE)); // around the break
    // Umode only: its own stack, code and the stack's guard page
    case 17: return (int)&local - (int)pick(256);
    case 18: return 0x400000 + (int)pick(PAGE);
    default: return (int)(0xBFFFE000u - 17 * PAGE + pick(PAGE)); // the guard page
    }
}

// Smode only, before a call: hostile flags and stack pointers (ring 0 lets
// a program set them all). Now and then NT or AC, which stay set for the
// calls that follow (the kernel must neither die of them nor lose them).
// At call `last` (early, in half of the children), TF or an ESP at
// the boundary of user space, which kill the child (vector 1; vector 8 or
// 12), never the kernel.
static void
smode_hazard(int call, int last)
{
    if (pick(32) == 0)
        set_flags(pick(2) ? FL_NT : FL_AC);
    if (call != last)
        return;
    unsigned int what = pick(NBOUNDARY_ESPS + 1);
    if (what == NBOUNDARY_ESPS)
        set_flags(FL_TF);
    else
        call_with_esp(boundary_esps[what]);
}

// The fuzzing child. Never returns.
static void __attribute__((noreturn))
fuzz(int round, int trace)
{
    rng = 0x9E3779B9u * (unsigned int)(round + 1);
    int me = getpid();
    for (int fd = 0; fd < 3 && !trace; fd++) // random writes must not reach the console
        close(fd);
    int smode = round % 2;
    // The parent is Smode, so a child starts Smode (fork keeps the mode).
    if (smode ? current_mode() != MODE_SMODE : switch_user(0) != 0)
        exit(90);
    // No requests on other processes: the parent must stay Smode (resident),
    // or its own page-outs would blur the leak counts.
    if (nopromote() != 0)
        exit(91);
    int last = pick(2) ? (int)pick(32) : CALLS; // smode_hazard's fatal one, in half of them
    for (int i = 0; i < CALLS; i++) {
        int nr = pick(64) == 0 ? (int)next() : (int)pick(NSYSCALL + 2);
        int a[5];
        for (int k = 0; k < 5; k++)
            a[k] = random_arg(smode);
        if (nr == SYS_exec && pick(4)) // exec is rare: a success ends the run
            continue;
        if (nr == SYS_sleep)
            a[0] &= 63; // short sleeps (a long one only wastes the round)
        if (smode)
            smode_hazard(i, last);
        if (trace)
            printf("call %d: %d(%x, %x, %x, %x, %x)\n", i, nr, a[0], a[1], a[2], a[3], a[4]);
        int ret = smode && pick(4) == 0 ? int80(nr, a[0], a[1], a[2], a[3], a[4])
                                        : syscall5(nr, a[0], a[1], a[2], a[3], a[4]);
        if (trace)
            printf("  = %d\n", ret);
        if (getpid() != me) // the child of a fork we made: done
            exit(0);
    }
    exit(0);
}

// Remove everything in the working directory, one entry at a time
// (re-reading it after each removal). Returns the number of entries removed.
static int
rmtree_cwd(void)
{
    struct dirent d[8];
    int removed = 0;
    for (;;) {
        int fd = open(".", O_RDONLY);
        CHECK(fd >= 0, "open .: %d", fd);
        int n = getdents(fd, d, sizeof d);
        close(fd);
        CHECK(n >= 0, "getdents: %d", n);
        const char *name = 0;
        for (int i = 0; i < n / (int)sizeof d[0] && !name; i++)
            if (strcmp(d[i].name, ".") && strcmp(d[i].name, ".."))
                name = d[i].name;
        if (!name)
            return removed;
        struct stat st;
        CHECK(stat(name, &st) == 0, "stat %s", name);
        if (st.type == T_DIR) {
            CHECK(chdir(name) == 0, "chdir %s", name);
            removed += rmtree_cwd();
            CHECK(chdir("..") == 0, "chdir ..");
        }
        CHECK(unlink(name) == 0, "unlink %s", name);
        removed++;
    }
}

// squeeze: a Umode process that fills all free memory, so that the rest of
// the run is at the low watermark and every allocation pages something out
// (the children's own pages too: their copy-in/out then pages in). Returns
// its pid once memory is full; it sleeps until killed.
static int
start_hog(unsigned int free_frames)
{
    int ready[2];
    CHECK(pipe(ready) == 0, "pipe");
    int pid = fork();
    CHECK(pid >= 0, "fork hog: %d", pid);
    if (pid == 0) {
        if (switch_user(0) != 0)
            exit(92);
        char *m = sbrk((int)(free_frames * PAGE));
        if (sbrk_failed(m))
            exit(93);
        for (unsigned int i = 0; i < free_frames; i++)
            m[i * PAGE] = (char)i;
        write(ready[1], "h", 1);
        for (;;)
            msleep(1000000);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "the hog did not fill memory");
    close(ready[0]);
    close(ready[1]);
    return pid;
}

#define EXEC_RAN "exec-ran" // argv[1] of the exec that must fail; main exits 86

// Smode fills memory: an Smode child (its memory resident and pinned) grows
// its heap until sbrk refuses, touches it all, then tries calls that need
// memory (fork, more sbrk, exec) with everything it could get pinned: each
// must fail with -ENOMEM at once, and the kernel must carry on. Its exit
// status says which step went wrong (0: none).
static void
fill_memory_smode(void)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        if (read_cs() != 0x08) // (no nopromote: in Smode it demotes)
            exit(81);
        char *m;
        unsigned int n = grow_until_refused(&m, 16);
        for (unsigned int i = 0; i < n; i++)
            m[i * PAGE] = (char)i;
        if ((int)sbrk(PAGE) != -ENOMEM)
            exit(82);
        int c = fork();
        if (c == 0)
            exit(0);
        if (c > 0) {
            wait(0);
            exit(83); // a fork needs at least a page directory: there is none
        }
        if (c != -ENOMEM)
            exit(84);
        // exec builds the new space before it drops the old (memory.md): it
        // cannot either. Should it run, the program says so in its status.
        char *args[] = {"t_fuzz", EXEC_RAN, 0};
        int r = exec("/test/t_fuzz", args);
        exit(r == -ENOMEM ? 0 : 85);
    }
    int status = wait_child(pid);
    CHECK(!WIFKILLED(status) && WEXITSTATUS(status) == 0, "Smode fill: status 0x%x", status);
    printf("t_fuzz: an Smode process filled memory and was refused cleanly\n");
}

int
main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], EXEC_RAN)) // fill_memory_smode's exec ran after all
        exit(86);
    if (argc > 2 && !strcmp(argv[1], "trace")) // round R alone, printing each call
        fuzz(atoi(argv[2]), 1);
    int rounds = argc > 1 ? atoi(argv[1]) : 48;
    int first = argc > 2 ? atoi(argv[2]) : 0;
    int squeeze = argc > 3 && !strcmp(argv[3], "squeeze");
    CHECK(mkdir("/fz") == 0, "mkdir /fz");
    CHECK(chdir("/fz") == 0, "chdir /fz");
    // Smode: all our pages resident and pinned, so that nothing of ours is
    // paged out while the children fill memory; the counts below are theirs.
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    struct vmstat before = vm();
    int hog = squeeze ? start_hog(before.free_frames) : 0;
    int outcome[4] = {0}; // exited, killed by a fault, killed by us, strays
    for (int r = first; r < first + rounds; r++) {
        int pid = fork();
        CHECK(pid >= 0, "fork: %d", pid);
        if (pid == 0)
            fuzz(r, 0);
        // Give it up to ~1 s of ticks (it may sleep or block on a pipe of
        // its own); then kill it. Only the outcome counts vary with this.
        struct procinfo pi;
        for (int t = 0; t < 100; t++) {
            if (modeinfo(pid, &pi) < 0 || pi.state == PS_ZOMBIE)
                break;
            msleep(10);
        }
        kill(pid); // -ESRCH if it is gone already
        int status, w;
        while ((w = wait(&status)) != pid) { // reap fork strays, reparented to us
            CHECK(w > 0, "wait: %d", w);
            outcome[3]++;
        }
        if (WIFKILLED(status) && WKILLVEC(status) != KILLED_BY_KILL)
            printf("t_fuzz: round %d (%s) was killed by vector %d\n", r, r % 2 ? "Smode" : "Umode",
                   WKILLVEC(status));
        if (WIFKILLED(status))
            outcome[WKILLVEC(status) == KILLED_BY_KILL ? 2 : 1]++;
        else
            outcome[0]++;
    }
    int status, w;
    if (hog)
        kill(hog); // -ESRCH if a child killed it already (then it was a stray)
    while ((w = wait(&status)) > 0) // strays that outlived their parent
        outcome[3]++;
    CHECK(w == -ECHILD, "final wait: %d", w);
    printf("t_fuzz: %d children x %d calls: %d exited, %d killed by a fault, "
           "%d killed after blocking; %d fork strays reaped\n",
           rounds, CALLS, outcome[0], outcome[1], outcome[2], outcome[3]);

    fill_memory_smode();

    // The machine is whole.
    struct procinfo rows[8];
    int n = procinfo(rows, 8);
    CHECK(n == 1 && rows[0].pid == getpid(), "%d processes left (want only us)", n);
    int removed = rmtree_cwd();
    CHECK(chdir("/") == 0 && unlink("/fz") == 0, "rmdir /fz");
    struct vmstat after = vm();
    printf("t_fuzz: removed %d files and directories the children made; "
           "%u page-outs and %u page-ins during the run\n",
           removed, after.pageouts - before.pageouts, after.pageins - before.pageins);
    CHECK(after.pinned_frames == before.pinned_frames, "pinned frames %u -> %u",
          before.pinned_frames, after.pinned_frames);
    CHECK(after.swap_used == before.swap_used, "swap slots %u -> %u", before.swap_used,
          after.swap_used);
    CHECK(after.free_frames == before.free_frames, "free frames %u -> %u", before.free_frames,
          after.free_frames);
    echo_still_works("t_fuzz: exec still works");
    pass();
}
