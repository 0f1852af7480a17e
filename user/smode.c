// smode: runs PROG [ARGS...] as an Smode process.
// switch_supervisor(0) is applied at the tail of that very call, so this
// process is Smode when it returns; exec keeps the mode, so PROG runs in
// supervisor mode from its first instruction.
#include <unistd.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    char path[PATH_MAX];

    if (argc < 2) {
        eprintf("usage: smode PROG [ARGS...]\n");
        return 1;
    }
    int r = switch_supervisor(0);
    if (r < 0 && r != -EALREADY) { // already Smode is fine
        eprintf("smode: switch_supervisor: %s\n", strerror(-r));
        return 1;
    }
    // A name without '/' is a program in /bin, as in the shell.
    if (strchr(argv[1], '/'))
        snprintf(path, sizeof(path), "%s", argv[1]);
    else
        snprintf(path, sizeof(path), "/bin/%s", argv[1]);
    r = exec(path, argv + 1);
    eprintf("smode: %s: %s\n", path, strerror(-r));
    return 1;
}
