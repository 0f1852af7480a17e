// t_sbrk: the heap: sbrk growth in steps with every page touched and
// verified, sbrk(0), shrinking, fresh pages are zero, memory above the break
// is gone, the upper limit, fork copies the heap; then malloc/free/realloc.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_sbrk"
#include "testlib.h"

#define PG 4096u
#define STEP (96 * 1024)  // not a multiple of the page size on purpose: 24 pages
#define NSTEPS 48         // 4.5 MiB in all
#define USER_TOP 0xBFFFE000u // nothing of the heap may reach the stack/control area

static unsigned int
word_for(unsigned int addr)
{
    return addr * 2654435761u ^ 0x5A5A1234u;
}

static unsigned int
free_frames(void)
{
    struct vmstat v;
    CHECK(vmstat(&v) == 0, "vmstat failed");
    return v.free_frames;
}

int
main(void)
{
    int st;
    char *b0 = sbrk(0);
    CHECK(!sbrk_failed(b0), "sbrk(0) failed: %d", (int)b0);
    CHECK((unsigned int)b0 >= 0x400000u && (unsigned int)b0 < 0x10000000u,
          "initial break 0x%x is odd", (unsigned int)b0);
    CHECK(sbrk(0) == b0, "sbrk(0) is not stable");
    // the program's static data lies below the break
    static int in_bss;
    CHECK((char *)&in_bss < b0, "bss at %p is above the break %p", (void *)&in_bss, b0);

    unsigned int frames0 = free_frames();

    // ---- grow in steps, touch every page ----
    char *base = b0;
    for (int i = 0; i < NSTEPS; i++) {
        char *old = sbrk(STEP);
        CHECK(!sbrk_failed(old), "sbrk(%d) step %d failed: %d", STEP, i, (int)old);
        CHECK(old == base + i * STEP, "step %d: sbrk returned %p, expected %p", i, old,
              base + i * STEP);
        CHECK(sbrk(0) == old + STEP, "sbrk(0) after step %d is %p", i, sbrk(0));
        // fresh memory reads as zero; then fill every word of it
        unsigned int *w = (unsigned int *)old;
        for (unsigned int k = 0; k < STEP / 4; k++) {
            CHECK(w[k] == 0, "new heap word at %p is 0x%x, not zero", (void *)&w[k], w[k]);
            w[k] = word_for((unsigned int)&w[k]);
        }
    }
    char *top = sbrk(0);
    CHECK(top == base + NSTEPS * STEP, "break %p after growth", top);
    for (unsigned int *w = (unsigned int *)base; (char *)w < top; w++)
        CHECK(*w == word_for((unsigned int)w), "heap word at %p corrupted: 0x%x", (void *)w, *w);
    unsigned int used = frames0 - free_frames();
    CHECK(used >= NSTEPS * STEP / PG, "touching %u pages used only %u frames", NSTEPS * STEP / PG,
          used);
    printf("grew the heap by %d KiB, every page verified\n", NSTEPS * STEP / 1024);

    // ---- fork copies the heap; the copies are separate ----
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        for (unsigned int *w = (unsigned int *)base; (char *)w < top; w += 97)
            if (*w != word_for((unsigned int)w))
                _exit(2);
        if (sbrk(0) != top)
            _exit(3);
        for (unsigned int *w = (unsigned int *)base; (char *)w < top; w += PG / 4)
            *w = 0xDEADBEEF;
        // the child may move its own break
        if (sbrk_failed(sbrk(-(int)(top - base))))
            _exit(4);
        exit(0);
    }
    st = wait_child(pid);
    CHECK(st == 0, "child saw a bad heap copy (status %d)", st);
    CHECK(sbrk(0) == top, "child's sbrk moved the parent's break");
    for (unsigned int *w = (unsigned int *)base; (char *)w < top; w += PG / 4)
        CHECK(*w == word_for((unsigned int)w), "child's write reached the parent at %p", (void *)w);

    // ---- shrink ----
    int shrink = 2 * 1024 * 1024 + 100;
    unsigned int before_shrink = free_frames();
    char *old = sbrk(-shrink);
    CHECK(!sbrk_failed(old), "negative sbrk failed: %d", (int)old);
    CHECK(old == top, "negative sbrk returned %p, expected the old break %p", old, top);
    char *nb = sbrk(0);
    CHECK(nb == top - shrink, "break %p after shrinking, expected %p", nb, top - shrink);
    for (unsigned int *w = (unsigned int *)base; (char *)w + 4 <= nb; w += 101)
        CHECK(*w == word_for((unsigned int)w), "shrinking damaged the heap below the break");
    unsigned int after_shrink = free_frames();
    CHECK(after_shrink >= before_shrink + (unsigned int)shrink / PG - 2,
          "shrinking by %d bytes freed only %d frames", shrink, (int)(after_shrink - before_shrink));
    // the pages above the new break (rounded up to a page) are no longer mapped
    unsigned int gone = ((unsigned int)nb + PG - 1) & ~(PG - 1);
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        volatile unsigned int *p = (volatile unsigned int *)(gone + PG);
        *p = 1; // must fault
        exit(0);
    }
    st = wait_child(pid);
    CHECK(WIFKILLED(st) && WKILLVEC(st) == 14,
          "touching memory above a shrunk break: status 0x%x, expected a page fault", st);
    // read access as well
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        volatile unsigned int *p = (volatile unsigned int *)(top - 8);
        exit(*p == 12345 ? 1 : 0); // must fault before exiting
    }
    st = wait_child(pid);
    CHECK(WIFKILLED(st) && WKILLVEC(st) == 14,
          "reading the old top of the heap after shrinking: status 0x%x", st);

    // ---- grow again: the re-grown pages are zero (no stale data) ----
    old = sbrk(shrink);
    CHECK(old == nb, "regrow returned %p, expected %p", old, nb);
    CHECK(sbrk(0) == top, "break after regrow");
    for (unsigned int *w = (unsigned int *)gone; (char *)w < top; w++)
        CHECK(*w == 0, "re-grown heap word at %p is 0x%x: stale data", (void *)w, *w);
    // the part of the page below the break that stayed kept its data
    for (unsigned int *w = (unsigned int *)(gone - PG); (char *)w + 4 <= nb; w++)
        CHECK(*w == word_for((unsigned int)w), "data below the break lost");

    // ---- back to where we started ----
    old = sbrk(-(int)(top - b0));
    CHECK(old == top && sbrk(0) == b0, "shrink to the start");
    unsigned int frames_end = free_frames();
    CHECK(frames_end + 16 >= frames0, "frames leaked: %u free at start, %u now", frames0,
          frames_end);

    // ---- errors ----
    // below the start of the heap (into the program): refused, break unchanged
    char *r = sbrk(-(int)(b0 - (char *)0x400000) - 4096);
    CHECK(sbrk_failed(r), "sbrk below the heap start succeeded (%p)", r);
    CHECK((int)r < 0, "failed sbrk did not return a negative errno");
    CHECK(sbrk(0) == b0, "failed sbrk moved the break");
    // the upper limit: grow by big steps until refused; it must be refused
    // before the heap reaches the stack and the control area
    int big = 0x20000000; // 512 MiB of address space per step (no memory touched)
    int steps = 0;
    for (;;) {
        char *cur = sbrk(0);
        r = sbrk(big);
        if (sbrk_failed(r)) {
            CHECK((int)r == -ENOMEM, "sbrk past the limit gave %d, expected -ENOMEM", (int)r);
            CHECK(sbrk(0) == cur, "failed sbrk moved the break");
            break;
        }
        CHECK(r == cur, "sbrk returned %p, expected %p", r, cur);
        CHECK((unsigned int)cur + (unsigned int)big <= USER_TOP,
              "the heap was allowed to grow to 0x%x, into the stack", (unsigned int)cur + big);
        steps++;
        CHECK(steps < 8, "sbrk never refuses");
    }
    // a wrapping request must fail as well
    r = sbrk(0x7FFFFFFF);
    CHECK(sbrk_failed(r), "sbrk(0x7fffffff) after %d big steps succeeded", steps);
    // the reservation was lazy; touch one page in the middle, then give all back
    if (steps > 0) {
        volatile int *mid = (volatile int *)(b0 + big / 2);
        *mid = 7;
        CHECK(*mid == 7, "touch in the big heap");
    }
    char *cur = sbrk(0);
    while (cur > b0) {
        unsigned int left = (unsigned int)cur - (unsigned int)b0;
        int dec = left > (unsigned int)big ? big : (int)left;
        r = sbrk(-dec);
        CHECK(!sbrk_failed(r), "shrinking back from the big heap: %d", (int)r);
        cur = sbrk(0);
    }
    CHECK(sbrk(0) == b0, "break not back at the start");
    // (page tables made for the big reservation may stay until exit: no frame check here)
    printf("sbrk ok (%d steps of 512 MiB before the limit)\n", steps);

    // ---- malloc / free / realloc ----
    enum { NB = 400 };
    static unsigned char *blk[NB];
    static unsigned int len[NB];
    srand(7);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < NB; i++) {
            if (blk[i] && (rand() % 3 == 0)) {
                for (unsigned int k = 0; k < len[i]; k++)
                    CHECK(blk[i][k] == (unsigned char)(i * 31 + k), "block %d byte %u overwritten",
                          i, k);
                free(blk[i]);
                blk[i] = 0;
            }
            if (!blk[i]) {
                unsigned int n = 1 + rand() % (i % 10 == 0 ? 20000 : 300);
                blk[i] = malloc(n);
                CHECK(blk[i] != 0, "malloc(%u) failed", n);
                CHECK(((unsigned int)blk[i] & 7) == 0, "malloc result %p not 8-byte aligned",
                      blk[i]);
                len[i] = n;
                for (unsigned int k = 0; k < n; k++)
                    blk[i][k] = (unsigned char)(i * 31 + k);
            }
        }
        // no two live blocks overlap
        for (int i = 0; i < NB; i += 7)
            for (int j = 0; j < NB; j++)
                if (i != j)
                    CHECK(blk[i] + len[i] <= blk[j] || blk[j] + len[j] <= blk[i],
                          "blocks %d and %d overlap", i, j);
    }
    for (int i = 0; i < NB; i++) {
        for (unsigned int k = 0; k < len[i]; k++)
            CHECK(blk[i][k] == (unsigned char)(i * 31 + k), "final check: block %d byte %u", i,
                  k);
        free(blk[i]);
        blk[i] = 0;
    }
    // realloc keeps the contents
    unsigned char *p = malloc(100);
    CHECK(p, "malloc 100");
    for (int k = 0; k < 100; k++)
        p[k] = (unsigned char)(k + 1);
    p = realloc(p, 50000);
    CHECK(p, "realloc up to 50000");
    for (int k = 0; k < 100; k++)
        CHECK(p[k] == (unsigned char)(k + 1), "realloc up lost byte %d", k);
    memset(p + 100, 0xEE, 50000 - 100);
    p = realloc(p, 60);
    CHECK(p, "realloc down to 60");
    for (int k = 0; k < 60; k++)
        CHECK(p[k] == (unsigned char)(k + 1), "realloc down lost byte %d", k);
    free(p);
    p = realloc(0, 32); // realloc(NULL) is malloc
    CHECK(p, "realloc(NULL, 32)");
    free(p);
    unsigned int *z = calloc(1000, 4);
    CHECK(z, "calloc");
    for (int k = 0; k < 1000; k++)
        CHECK(z[k] == 0, "calloc memory not zero at %d", k);
    free(z);
    // one large block (larger than any previous) then freed: the heap works after
    unsigned char *large = malloc(3 * 1024 * 1024);
    CHECK(large, "malloc of 3 MiB failed");
    for (unsigned int k = 0; k < 3 * 1024 * 1024; k += PG)
        large[k] = (unsigned char)k | 1;
    for (unsigned int k = 0; k < 3 * 1024 * 1024; k += PG)
        CHECK(large[k] == ((unsigned char)k | 1), "large block byte %u", k);
    free(large);
    char *s = strdup("a string on the heap");
    CHECK(s && strcmp(s, "a string on the heap") == 0, "strdup");
    free(s);
    printf("malloc/free/realloc ok\n");

    pass();
}
