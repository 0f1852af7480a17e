// t_copy_dirty: what the kernel writes into a program's page counts as a
// write by the program (lab 2's uva2ka sets the dirty bit). Under memory
// pressure (8 MiB of RAM), pages are paged out and read back (clean, each keeping
// its copy on swap); then read() fills them through copyout; when they are
// paged out again, the clock must write them to swap, not drop them for
// their stale copies.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_copy_dirty"
#include "testlib.h"

#define PAGE 4096
#define PAGES 128         // the pages the kernel writes into
#define STREAM_PAGES 3000 // twice an 8 MiB machine's memory: the hand goes round twice

// Touch n new pages once each (pushing older pages out to swap), then
// give them back.
static void
stream(unsigned int n)
{
    char *p = sbrk(n * PAGE);
    CHECK(!sbrk_failed(p), "sbrk of %u pages", n);
    for (unsigned int i = 0; i < n; i++)
        p[i * PAGE] = 1;
    CHECK(!sbrk_failed(sbrk(-(int)(n * PAGE))), "sbrk shrink");
}

int
main(void)
{
    char *pages = sbrk(PAGES * PAGE);
    CHECK(!sbrk_failed(pages), "sbrk");
    memset(pages, 'o', PAGES * PAGE); // "old"
    stream(STREAM_PAGES);             // they go out
    unsigned int sum = 0;
    for (int i = 0; i < PAGES; i++)
        sum += (unsigned char)pages[i * PAGE]; // back in, clean, copies kept
    CHECK(sum == 'o' * PAGES, "paged back in wrong");
    int fd = open("/README", O_RDONLY);
    CHECK(fd >= 0, "open /README");
    char want[64];
    CHECK(read(fd, want, sizeof want) == sizeof want, "read");
    for (int i = 0; i < PAGES; i++)
        CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, pages + i * PAGE, sizeof want) ==
              sizeof want, "read into page %d", i);
    stream(STREAM_PAGES); // they go out again: each must be written, not dropped
    for (int i = 0; i < PAGES; i++)
        CHECK(memcmp(pages + i * PAGE, want, sizeof want) == 0, "what read() wrote into page %d "
              "was lost at its page-out: copyout did not mark it dirty (got %.8s)", i,
              pages + i * PAGE);
    printf("copy_dirty: what the kernel wrote survived the page-outs\n");
    pass();
}
