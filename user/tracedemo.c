// tracedemo: scripted runs for the event trace and `make timeline`
// (docs/debugging.md, "The event trace"). Run it as the first process with
// the trace on; when it exits the machine powers off and the kernel prints
// the trace on serial.
//   tracedemo [flip]   the manager (this process) flips a running spin and a
//                     bench-like caller to Smode and back, one at a time
//   tracedemo manager  the manager runs the `mode` command to flip three spins
//   tracedemo paging   a process whose pages went to swap is switched to
//                     Smode: every page comes back in first (boot with MEM=16)
//   tracedemo dfkill   an Smode process overflows its stack: double-fault kill
//   tracedemo cost     what tracing costs per system call (boot with
//                     -icount shift=0: RDTSC counts instructions)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tsc.h>

#define STEP_MS 40

// Start /bin/prog with up to two arguments; returns its pid.
static int
spawn(const char *prog, const char *a1, const char *a2)
{
    int pid = fork();
    if (pid == 0) {
        char path[64];
        snprintf(path, sizeof(path), "/bin/%s", prog);
        char *argv[] = {(char *)prog, (char *)a1, (char *)a2, 0};
        exec(path, argv);
        eprintf("tracedemo: cannot run %s\n", path);
        _exit(127);
    }
    if (pid < 0) {
        eprintf("tracedemo: fork: %d\n", pid);
        exit(1);
    }
    return pid;
}

// Run /bin/prog to its end.
static void
run(const char *prog, const char *a1, const char *a2)
{
    int pid = spawn(prog, a1, a2);
    int status;
    while (wait(&status) != pid)
        ;
}

// A bench-like caller: batches of getpid through the mode-aware stub (int
// 0x80 in Umode, the function receiver in Smode) and, in Umode, sysenter.
static void __attribute__((noreturn))
caller(void)
{
    for (;;) {
        for (int i = 0; i < 20; i++)
            getpid();
        if (current_mode() == MODE_UMODE)
            for (int i = 0; i < 20; i++)
                sysenter_getpid();
        msleep(10);
    }
}

static void
say(int r, const char *what, int pid)
{
    printf("tracedemo: %s %d: %d\n", what, pid, r);
}

static void
end(int *pids, int n)
{
    for (int i = 0; i < n; i++)
        kill(pids[i]);
    for (int i = 0; i < n; i++)
        wait(0);
}

static void
flip(void)
{
    int pids[2];
    pids[0] = spawn("spin", "0", 0);
    pids[1] = fork();
    if (pids[1] == 0)
        caller();
    msleep(STEP_MS);
    say(switch_supervisor(pids[0]), "switch_supervisor", pids[0]);
    msleep(STEP_MS);
    say(switch_supervisor(pids[1]), "switch_supervisor", pids[1]);
    msleep(STEP_MS);
    say(switch_user(pids[0]), "switch_user", pids[0]);
    msleep(STEP_MS);
    say(switch_user(pids[1]), "switch_user", pids[1]);
    msleep(STEP_MS);
    end(pids, 2);
}

static void
manager(void)
{
    int pids[3];
    char arg[3][12];
    for (int i = 0; i < 3; i++) {
        pids[i] = spawn("spin", "0", 0);
        snprintf(arg[i], sizeof(arg[i]), "%d", pids[i]);
    }
    msleep(STEP_MS);
    for (int i = 0; i < 3; i++) {
        run("mode", "s", arg[i]);
        msleep(STEP_MS / 2);
    }
    run("mode", arg[0], 0);
    for (int i = 0; i < 3; i++) {
        run("mode", "u", arg[i]);
        msleep(STEP_MS / 2);
    }
    end(pids, 3);
}

// The target fills its memory, waits in read() (where the switch applies),
// checks its memory in Smode, and waits again.
static void
paging(void)
{
    struct vmstat vs;
    int ready[2], go[2];
    if (vmstat(&vs) < 0 || vs.swap_slots == 0 || pipe(ready) < 0 || pipe(go) < 0) {
        eprintf("tracedemo paging: needs the swap disk\n");
        exit(1);
    }
    int pages = 256;
    int target = fork();
    if (target == 0) {
        char c, *mem = sbrk(pages * 4096);
        for (int i = 0; i < pages; i++)
            memset(mem + i * 4096, i, 4096);
        write(ready[1], "r", 1);
        read(go[0], &c, 1);
        for (int i = 0; i < pages; i++)
            if (mem[i * 4096] != (char)i)
                _exit(3);
        write(ready[1], current_mode() == MODE_SMODE ? "S" : "U", 1);
        read(go[0], &c, 1);
        _exit(0);
    }
    char c;
    read(ready[0], &c, 1);
    int hog = fork();
    if (hog == 0) { // touches as many pages as the machine has: pushes the target out
        char *m = sbrk(vs.total_frames * 4096);
        for (unsigned int i = 0; i < vs.total_frames; i++)
            m[i * 4096] = 1;
        _exit(0);
    }
    wait(0);
    tracectl(TRACE_DUMP, 0, 0, 0); // read the hog's part out now: room for the rest
    say(switch_supervisor(target), "switch_supervisor", target);
    write(go[1], "g", 1);
    read(ready[0], &c, 1);
    printf("tracedemo: the target ran as %s\n", c == 'S' ? "Smode" : "Umode");
    say(switch_user(target), "switch_user", target);
    write(go[1], "g", 1);
    wait(0);
}

static int
recurse(int depth)
{
    volatile char pad[1024];
    pad[0] = (char)depth;
    return depth > 1000000 ? 0 : recurse(depth + 1) + pad[0];
}

static void
dfkill(void)
{
    int pid = fork();
    if (pid == 0) {
        getpid();
        switch_supervisor(0);
        recurse(0); // ring 0: past the stack's end there is no stack to fault on
        _exit(0);
    }
    int status;
    wait(&status);
    printf("tracedemo: the Smode child ended with status 0x%x\n", status);
}

#define COST_CALLS 1000

// Instructions per call of fn, with the buffer drained first so that every
// event is really recorded (a full buffer only counts drops, more cheaply).
static unsigned int
per_call(int (*fn)(void))
{
    static struct trace_event sink[64];
    while (tracectl(TRACE_READ, 0, sink, 64) == 64)
        ;
    unsigned long long t0 = rdtsc();
    for (int i = 0; i < COST_CALLS; i++)
        fn();
    return (unsigned int)((rdtsc() - t0) / COST_CALLS);
}

static void
cost(void)
{
    int on = TR_ALL; // (this scenario turns the trace on and off itself)
    const char *name[] = {"int80", "sysenter", "fast"};
    unsigned int off[3], traced[3];
    for (int pass = 0; pass < 2; pass++) {
        tracectl(TRACE_MASK, pass ? on : 0, 0, 0);
        unsigned int *r = pass ? traced : off;
        r[0] = per_call(getpid);
        r[1] = per_call(sysenter_getpid);
        switch_supervisor(0);
        r[2] = per_call(getpid);
        switch_user(0);
    }
    tracectl(TRACE_MASK, 0, 0, 0); // nothing left to print at power-off
    for (int i = 0; i < 3; i++)
        printf("TRACECOST %s off=%u on=%u per-event=%u\n", name[i], off[i], traced[i],
               (traced[i] - off[i]) / 2);
}

int
main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "flip";
    if (strcmp(s, "flip") == 0)
        flip();
    else if (strcmp(s, "manager") == 0)
        manager();
    else if (strcmp(s, "paging") == 0)
        paging();
    else if (strcmp(s, "dfkill") == 0)
        dfkill();
    else if (strcmp(s, "cost") == 0)
        cost();
    else {
        eprintf("usage: tracedemo [flip|manager|paging|dfkill|cost]\n");
        return 1;
    }
    printf("tracedemo %s: done\n", s);
    return 0;
}
