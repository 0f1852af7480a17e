// kill: ends each process PID (its parent's wait sees WAIT_KILLED_BIT |
// KILLED_BY_KILL; a shell reports it as "killed").
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
    int status = 0;

    if (argc < 2) {
        eprintf("usage: kill PID...\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (*argv[i] == 0 || *end != 0 || pid <= 0) {
            eprintf("kill: %s: not a process id\n", argv[i]);
            status = 1;
            continue;
        }
        int r = kill((int)pid);
        if (r < 0) {
            eprintf("kill: %ld: %s\n", pid, strerror(-r));
            status = 1;
        }
    }
    return status;
}
