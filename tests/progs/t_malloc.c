// t_malloc: libsys's heap. Random malloc/free/realloc/calloc with every
// byte checked; 2000 x malloc(10001), which must not leave a piece behind
// per block (the heap grows by about what was asked); freeing everything
// must give the memory back (the break returns near where it started);
// a double free and a bad pointer abort with a message; a break the program
// moves itself while the wilderness is used up leaves its memory alone.
// Runs in either mode: cases.ini boots it as Umode and, through /bin/smode,
// as Smode.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_malloc"
#include "testlib.h"

#define NSLOT 300
#define NOPS 6000
#define BIG_N 2000
#define BIG_SIZE 10001
#define BIG_BLOCK 10016       // BIG_SIZE rounded up to 8, plus the 8-byte header
#define SHRUNK (64 * 1024 + 64) // what the heap may keep once everything is free

static unsigned char *slot[NSLOT];
static unsigned int len[NSLOT];
static void *big[BIG_N];

static unsigned char
fill_byte(int i, unsigned int k)
{
    return (unsigned char)(i * 37 + k * 7 + 1);
}

// Slot i's bytes are still what fill() wrote.
static void
verify(int i)
{
    for (unsigned int k = 0; k < len[i]; k++)
        CHECK(slot[i][k] == fill_byte(i, k), "slot %d (%u bytes at %p): byte %u overwritten", i,
              len[i], (void *)slot[i], k);
}

static void
fill(int i, unsigned int from)
{
    for (unsigned int k = from; k < len[i]; k++)
        slot[i][k] = fill_byte(i, k);
}

// A size: mostly small, sometimes a few KiB, now and then 40 KiB.
static unsigned int
random_size(void)
{
    int r = rand() % 100;
    if (r < 70)
        return 1 + rand() % 200;
    if (r < 97)
        return 1 + rand() % 6000;
    return 30000 + rand() % 10000;
}

static void
random_ops(void)
{
    srand(12345);
    for (int op = 0; op < NOPS; op++) {
        int i = rand() % NSLOT;
        int what = rand() % 4;
        if (slot[i])
            verify(i);
        if (!slot[i] || what == 0) { // (re)allocate, with malloc or calloc
            free(slot[i]);
            len[i] = random_size();
            if (what == 0 && rand() % 2) {
                slot[i] = calloc(len[i], 1);
                CHECK(slot[i], "calloc(%u, 1) failed", len[i]);
                for (unsigned int k = 0; k < len[i]; k++)
                    CHECK(slot[i][k] == 0, "calloc'ed byte %u is 0x%x", k, slot[i][k]);
            } else {
                slot[i] = malloc(len[i]);
                CHECK(slot[i], "malloc(%u) failed", len[i]);
            }
            CHECK(((unsigned int)slot[i] & 7) == 0, "%p is not 8-aligned", (void *)slot[i]);
            fill(i, 0);
        } else if (what == 1) { // realloc: the common prefix survives
            unsigned int n = random_size();
            slot[i] = realloc(slot[i], n);
            CHECK(slot[i], "realloc to %u failed", n);
            CHECK(((unsigned int)slot[i] & 7) == 0, "realloc gave %p", (void *)slot[i]);
            unsigned int old = len[i];
            len[i] = n < old ? n : old;
            verify(i);
            len[i] = n;
            fill(i, old < n ? old : n);
        } else if (what == 2) {
            free(slot[i]);
            slot[i] = NULL;
        }
        if (op % 1000 == 999) // no two live blocks overlap
            for (int a = 0; a < NSLOT; a++)
                for (int b = a + 1; b < NSLOT; b++)
                    if (slot[a] && slot[b])
                        CHECK(slot[a] + len[a] <= slot[b] || slot[b] + len[b] <= slot[a],
                              "slots %d and %d overlap", a, b);
    }
    for (int i = 0; i < NSLOT; i++) {
        if (slot[i])
            verify(i);
        free(slot[i]);
        slot[i] = NULL;
    }
}

// BIG_N blocks of BIG_SIZE: the heap grows by about BIG_N * BIG_BLOCK (no
// piece left over per block); freed (forwards or backwards), it shrinks back.
static void
big_blocks(char *start, int backwards)
{
    for (int i = 0; i < BIG_N; i++) {
        big[i] = malloc(BIG_SIZE);
        CHECK(big[i], "malloc(%d) number %d failed", BIG_SIZE, i);
        memset(big[i], i & 0xff, BIG_SIZE);
    }
    unsigned int grown = (unsigned int)((char *)sbrk(0) - start);
    printf("t_malloc: %d x malloc(%d) grew the heap by %u KiB\n", BIG_N, BIG_SIZE, grown / 1024);
    CHECK(grown <= BIG_N * BIG_BLOCK + SHRUNK,
          "the heap grew by %u bytes for %d blocks of %d: more than %d (pieces left over)", grown,
          BIG_N, BIG_BLOCK, BIG_N * BIG_BLOCK + SHRUNK);
    for (int i = 0; i < BIG_N; i++) {
        unsigned char *b = big[i];
        CHECK(b[0] == (i & 0xff) && b[BIG_SIZE - 1] == (i & 0xff), "block %d overwritten", i);
    }
    for (int n = 0; n < BIG_N; n++)
        free(big[backwards ? BIG_N - 1 - n : n]);
    unsigned int kept = (unsigned int)((char *)sbrk(0) - start);
    printf("t_malloc: after free (%s) the heap keeps %u KiB\n",
           backwards ? "backwards" : "forwards", kept / 1024);
    CHECK(kept <= SHRUNK, "after freeing all, the heap still holds %u bytes (no shrinking sbrk)",
          kept);
}

// In a child: the program moves the break itself while the wilderness is
// used up exactly. malloc(FOREIGN_N), or realloc growing a small block at
// the top to FOREIGN_N (by_realloc), makes grow() give exactly what is
// missing (FOREIGN_N is above TRIM_AT + MIN_GROW, so whatever the
// wilderness held before, the growth is larger than MIN_GROW). Then the program's own
// sbrk page sits right above that block; filled with pat, it must survive
// freeing that block and the heap's work around it (without the header
// room, free read the page as the next block's header and wrote into it).
#define FOREIGN_N 100000
#define FOREIGN_BYTES 4096
static void
foreign_break(unsigned char pat, int by_realloc)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        unsigned char *p = by_realloc ? realloc(malloc(100), FOREIGN_N) : malloc(FOREIGN_N);
        CHECK(p, "%s to %d bytes", by_realloc ? "realloc" : "malloc", FOREIGN_N);
        memset(p, 0x5A, FOREIGN_N);
        unsigned char *q = sbrk(FOREIGN_BYTES); // the program's own memory
        CHECK(!sbrk_failed(q), "sbrk(%d)", FOREIGN_BYTES);
        memset(q, pat, FOREIGN_BYTES);
        void *r = malloc(100); // grows the heap above q: a fresh wilderness
        CHECK(r, "malloc(100)");
        free(p);
        p = malloc(FOREIGN_N); // the same place again (or not): either is fine
        CHECK(p, "malloc(%d) again", FOREIGN_N);
        for (int i = 0; i < 50; i++)
            free(malloc(1000 + i * 997));
        free(p);
        free(r);
        for (int k = 0; k < FOREIGN_BYTES; k++)
            CHECK(q[k] == pat, "pattern 0x%02x: byte %d of the program's own sbrk page is 0x%02x",
                  pat, k, q[k]);
        exit(0);
    }
    int st = wait_child(pid);
    CHECK(!WIFKILLED(st) && WEXITSTATUS(st) == 0, "foreign break (%s), pattern 0x%02x: status 0x%x",
          by_realloc ? "realloc" : "malloc", pat, st);
}

// In a child: what must abort the program with a message.
static void
must_abort(int what)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        char *p = malloc(100), *q = malloc(100);
        if (what == 0) {
            free(p);
            free(p); // a double free
        } else if (what == 1) {
            free(q + 16); // inside a block
        } else {
            free(q);
            q = realloc(q, 200); // realloc of a freed block
        }
        exit(0); // not reached if caught
    }
    int st = wait_child(pid);
    CHECK(!WIFKILLED(st) && WEXITSTATUS(st) == 134, "case %d: status 0x%x, expected abort (134)",
          what, st);
}

int
main(void)
{
    char *start = sbrk(0);
    printf("t_malloc: %s\n", read_cs() == 0x08 ? "Smode" : "Umode");

    static const unsigned char pats[] = {0x00, 0xff, 0xab};
    for (int by_realloc = 0; by_realloc < 2; by_realloc++)
        for (unsigned int i = 0; i < sizeof pats; i++)
            foreign_break(pats[i], by_realloc);
    printf("t_malloc: a break moved by the program leaves its memory alone\n");

    random_ops();
    unsigned int kept = (unsigned int)((char *)sbrk(0) - start);
    printf("t_malloc: random operations done, the heap keeps %u KiB\n", kept / 1024);
    CHECK(kept <= SHRUNK, "after the random operations the heap still holds %u bytes", kept);

    big_blocks(start, 0);
    big_blocks(start, 1);

    // a freed block comes back by calloc zeroed
    unsigned char *p = malloc(5000);
    CHECK(p, "malloc(5000)");
    memset(p, 0xAB, 5000);
    free(p);
    p = calloc(5000, 1);
    CHECK(p, "calloc(5000, 1)");
    for (int k = 0; k < 5000; k++)
        CHECK(p[k] == 0, "calloc after free: byte %d is 0x%x", k, p[k]);
    free(p);

    must_abort(0);
    must_abort(1);
    must_abort(2);
    pass();
}
