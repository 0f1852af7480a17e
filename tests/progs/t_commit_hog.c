// t_commit_hog: a sandboxed hog (nopromote) that takes all the memory it
// can cannot get init killed, and the shell can still fork and exec `kill`
// (the commit reserve, docs/memory.md section 10; run with MEM=16).
//
// This program is pid 1 ("init"). Its child plays the shell (a direct child
// of pid 1, like /bin/sh); the shell's child is the hog. The hog grows its
// heap until sbrk refuses, touches every page (memory and swap really fill
// up), and reports. Then init touches heap it reserved beforehand: faults on
// committed memory must succeed with everything full. Then the shell forks
// a child that execs /bin/kill on the hog.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_commit_hog"
#include "testlib.h"

#define PAGE 4096
#define INIT_PAGES 64

// The hog: all it can get, every page touched. Tells the shell how many
// pages through fd, then sleeps until killed.
static void __attribute__((noreturn))
hog(int fd)
{
    nopromote();
    char *m;
    unsigned int n = grow_until_refused(&m, 64);
    for (unsigned int i = 0; i < n; i++)
        m[i * PAGE] = 1;
    write(fd, &n, sizeof(n));
    for (;;)
        msleep(1000000);
}

// The shell: start the hog, tell init it is full (to_init), wait for init's
// go (from_init), then fork and exec `kill HOG`. Exits 0 if all went well.
static void __attribute__((noreturn))
shell(int to_init, int from_init)
{
    int hp[2];
    CHECK(pipe(hp) == 0, "pipe");
    int h = fork();
    CHECK(h >= 0, "fork the hog: %d", h);
    if (h == 0)
        hog(hp[1]);
    close(hp[1]);
    unsigned int n = 0;
    CHECK(read(hp[0], &n, sizeof(n)) == sizeof(n), "the hog died before it filled memory");
    struct vmstat v = vm();
    printf("t_commit_hog: the hog holds %u pages: committed %u of %u, swap used %u of %u\n", n,
           v.committed, v.commit_limit, v.swap_used, v.swap_slots);
    CHECK(v.swap_used > v.swap_slots / 2, "the hog did not fill the swap (%u used)",
          v.swap_used);
    write(to_init, "f", 1);
    char c;
    CHECK(read(from_init, &c, 1) == 1, "no go from init");
    char arg[16];
    snprintf(arg, sizeof(arg), "%d", h);
    int k = fork();
    CHECK(k >= 0, "the shell cannot fork kill: %d", k);
    if (k == 0) {
        char *args[] = {"kill", arg, 0};
        int r = exec("/bin/kill", args);
        printf("t_commit_hog: exec /bin/kill: %d\n", r);
        exit(99);
    }
    // kill and the hog end in either order (the hog dies at its next tail,
    // kill when it exits): wait for both, whichever comes first
    int kst = -1, hst = -1;
    for (int i = 0; i < 2; i++) {
        int status, w = wait(&status);
        CHECK(w == k || w == h, "wait: %d (kill %d, hog %d)", w, k, h);
        *(w == k ? &kst : &hst) = status;
    }
    CHECK(!WIFKILLED(kst) && WEXITSTATUS(kst) == 0, "kill: status 0x%x", kst);
    CHECK(WIFKILLED(hst) && WKILLVEC(hst) == KILLED_BY_KILL, "hog: status 0x%x", hst);
    printf("t_commit_hog: the shell forked and exec'd kill; the hog is gone\n");
    exit(0);
}

int
main(void)
{
    struct vmstat before = vm();
    CHECK(before.swap_slots > 0, "no swap disk");
    char *mine = sbrk(INIT_PAGES * PAGE); // committed now, touched later
    CHECK(!sbrk_failed(mine), "sbrk");
    int up[2], down[2];
    CHECK(pipe(up) == 0 && pipe(down) == 0, "pipe");
    int sh = fork();
    CHECK(sh >= 0, "fork the shell: %d", sh);
    if (sh == 0) {
        close(up[0]);
        close(down[1]);
        shell(up[1], down[0]);
    }
    close(up[1]);
    close(down[0]);
    char c;
    CHECK(read(up[0], &c, 1) == 1, "the shell gave up before the hog filled memory");
    for (int i = 0; i < INIT_PAGES; i++) // faults on committed memory, all memory full
        mine[i * PAGE] = (char)i;
    for (int i = 0; i < INIT_PAGES; i++)
        CHECK(mine[i * PAGE] == (char)i, "init's page %d lost", i);
    printf("t_commit_hog: init touched its %d reserved pages with memory full\n", INIT_PAGES);
    write(down[1], "g", 1);
    int status = wait_child(sh);
    CHECK(!WIFKILLED(status) && WEXITSTATUS(status) == 0, "the shell: status 0x%x", status);
    CHECK(sbrk(-(INIT_PAGES * PAGE)) == mine + INIT_PAGES * PAGE, "sbrk back");
    struct vmstat after = vm();
    // (some of init's own pages may still be on swap: fewer frames in use)
    CHECK(after.committed == before.committed && after.free_frames >= before.free_frames,
          "not given back: commit %u -> %u, free %u -> %u", before.committed, after.committed,
          before.free_frames, after.free_frames);
    pass();
}
