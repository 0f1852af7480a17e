// rm: removes each FILE; an empty directory too (the kernel's unlink
// refuses a directory that is not empty with -ENOTEMPTY).
#include <unistd.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    int status = 0;

    if (argc < 2) {
        eprintf("usage: rm FILE...\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        int r = unlink(argv[i]);
        if (r < 0) {
            eprintf("rm: %s: %s\n", argv[i], strerror(-r));
            status = 1;
        }
    }
    return status;
}
