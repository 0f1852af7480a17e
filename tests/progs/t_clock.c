// t_clock: the clock's second chance (lab 6), under memory pressure (16 MiB
// of RAM). A small hot set, touched between every two new pages of a
// stream far larger than memory, must stay resident: the hand pages out
// only what has not been used since its last visit, and the hot pages are
// always used again before it comes back. (The first sweep of a memory full
// of pages just touched must pass over all of them twice: the stream's
// first part fills memory before the hot set exists.)
#include <stdio.h>
#include <unistd.h>

#define TEST_NAME "t_clock"
#include "testlib.h"

#define PAGE 4096
#define FILL_PAGES 3000   // about the memory a 16 MiB machine has for programs
#define STREAM_PAGES 6000 // twice that: the hand goes round twice
#define HOT_PAGES 64

static unsigned int
pageins(void)
{
    struct procinfo pi;
    CHECK(modeinfo(0, &pi) == 0, "modeinfo");
    return pi.pageins;
}

// n new pages, each written once.
static char *
stream(unsigned int n, char *hot)
{
    char *p = sbrk(n * PAGE);
    CHECK(!sbrk_failed(p), "sbrk of %u pages", n);
    for (unsigned int i = 0; i < n; i++) {
        p[i * PAGE] = (char)i;
        for (unsigned int h = 0; hot && h < HOT_PAGES; h++)
            hot[h * PAGE]++; // used again before the hand can come back
    }
    return p;
}

int
main(void)
{
    stream(FILL_PAGES, 0);
    char *hot = sbrk(HOT_PAGES * PAGE);
    CHECK(!sbrk_failed(hot), "sbrk of the hot set");
    for (unsigned int h = 0; h < HOT_PAGES; h++)
        hot[h * PAGE] = 0;
    unsigned int before = pageins();
    stream(STREAM_PAGES, hot);
    unsigned int during = pageins() - before;
    printf("clock: %u page-ins while %u new pages streamed past %u hot pages\n", during,
           STREAM_PAGES, HOT_PAGES);
    CHECK(during < HOT_PAGES / 4, "the hot set was paged out: %u page-ins (the hand must give a "
          "used page a second chance)", during);
    for (unsigned int h = 0; h < HOT_PAGES; h++)
        CHECK((unsigned char)hot[h * PAGE] == (unsigned char)STREAM_PAGES, "hot page %u lost its "
              "count", h);
    pass();
}
