// cat: copies each FILE (or fd 0 when there is none) to fd 1.
#include <unistd.h>
#include <stdio.h>
#include <string.h>

// Copies fd to fd 1 until end of input. 0, or a negative errno; *wr tells
// whether the error came from writing (so the message can name the culprit).
static int
copy(int fd, int *wr)
{
    char buf[512];
    int n;

    *wr = 0;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        int r = write_all(1, buf, n);
        if (r < 0) {
            *wr = 1;
            return r;
        }
    }
    return n;
}

int
main(int argc, char **argv)
{
    int status = 0, r, wr;

    if (argc < 2) {
        r = copy(0, &wr);
        if (r < 0) {
            eprintf("cat: %s: %s\n", wr ? "write" : "stdin", strerror(-r));
            return 1;
        }
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            eprintf("cat: %s: %s\n", argv[i], strerror(-fd));
            status = 1;
            continue;
        }
        r = copy(fd, &wr);
        close(fd);
        if (r < 0) {
            eprintf("cat: %s: %s\n", wr ? "write" : argv[i], strerror(-r));
            status = 1;
            if (wr) // the output is gone: no point in going on
                break;
        }
    }
    return status;
}
