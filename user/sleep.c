// sleep: waits SECONDS seconds, or MS milliseconds with -m.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Prints the usage line and exits 1.
static void __attribute__((noreturn))
usage(void)
{
    eprintf("usage: sleep SECONDS | sleep -m MS\n");
    exit(1);
}

int
main(int argc, char **argv)
{
    int millis = argc == 3 && strcmp(argv[1], "-m") == 0;
    if (argc != 2 && !millis)
        usage();

    const char *arg = argv[argc - 1];
    char *end;
    unsigned long n = strtoul(arg, &end, 10);
    // Refuse what would overflow as milliseconds (about 49 days).
    if (*arg == '-' || *arg == 0 || *end != 0 || (!millis && n > 4000000))
        usage();

    int r = msleep(millis ? n : n * 1000);
    if (r < 0) {
        eprintf("sleep: %s\n", strerror(-r));
        return 1;
    }
    return 0;
}
