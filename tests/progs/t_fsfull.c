// t_fsfull: files live in memory nothing can page out, so the file system
// may fill at most half the frames. A program that writes files until the
// kernel says -ENOSPC must leave the rest of the machine working: fork, exec
// and a child's fresh memory still succeed; after the files are removed every
// frame comes back. (Without the limit the writes take every frame, paging
// all other processes out, and the fork+exec below fails.)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_fsfull"
#include "testlib.h"

#define PAGE 4096
static char block[PAGE];

int
main(void)
{
    // Smode: our pages stay resident, so the frame counts below are the files'
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    struct vmstat before = vm();
    memset(block, 'f', sizeof block);
    int files = 0;
    unsigned int pages = 0;
    int r = 0;
    char name[32];
    for (; r >= 0 && files < 64; files++) { // 64 MiB per file at most
        snprintf(name, sizeof name, "/full%d", files);
        int fd = open(name, O_CREAT | O_WRONLY);
        CHECK(fd >= 0, "create %s: %d", name, fd);
        for (int i = 0; i < 16384; i++) {
            r = write(fd, block, PAGE);
            if (r != PAGE)
                break;
            pages++;
        }
        close(fd);
    }
    CHECK(r == -ENOSPC || (r >= 0 && r < PAGE), "the writes ended with %d, not -ENOSPC", r);
    struct vmstat full = vm();
    printf("t_fsfull: %u pages of file data in %d files (last write: %d); %u of %u frames "
           "still free\n",
           pages, files, r, full.free_frames, full.total_frames);
    CHECK(pages < before.total_frames / 2, "file data took %u of %u frames", pages,
          before.total_frames);

    // The rest of the machine still works.
    int pid = fork();
    if (pid == 0) {
        char *m = sbrk(256 * PAGE); // 1 MiB of fresh memory, touched
        if (sbrk_failed(m))
            exit(3);
        for (int i = 0; i < 256; i++)
            m[i * PAGE] = (char)i;
        char *argv[] = {"echo", "t_fsfull: fork, memory and exec still work", 0};
        exec("/bin/echo", argv);
        exit(4);
    }
    CHECK(pid > 0, "fork with the file system full: %d", pid);
    CHECK(wait_child(pid) == 0, "the child could not get memory or exec");

    for (int i = 0; i < files; i++) {
        snprintf(name, sizeof name, "/full%d", i);
        CHECK(unlink(name) == 0, "unlink %s", name);
    }
    struct vmstat after = vm();
    CHECK(after.free_frames == before.free_frames, "free frames %u -> %u", before.free_frames,
          after.free_frames);
    pass();
}
