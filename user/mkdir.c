// mkdir: creates each directory DIR.
#include <unistd.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    int status = 0;

    if (argc < 2) {
        eprintf("usage: mkdir DIR...\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        int r = mkdir(argv[i]);
        if (r < 0) {
            eprintf("mkdir: %s: %s\n", argv[i], strerror(-r));
            status = 1;
        }
    }
    return status;
}
