// init: the first process of a normal boot (pid 1).
// Starts the shell, then reaps children until the shell ends: the kernel
// gives orphans to init, so this loop is where they are finally freed. When
// the shell is gone, init exits with the shell's status, and the kernel
// powers the machine off with it.
#include <unistd.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
    char *argv[] = { "sh", NULL };
    int status, pid;

    // fds 0, 1 and 2 are already the console: the kernel opened them.
    int sh = fork();
    if (sh < 0) {
        eprintf("init: fork: %s\n", strerror(-sh));
        return 1;
    }
    if (sh == 0) {
        int r = exec("/bin/sh", argv);
        eprintf("init: exec /bin/sh: %s\n", strerror(-r));
        exit(1);
    }
    for (;;) {
        pid = wait(&status);
        if (pid < 0) { // no children left, yet the shell was never reaped
            eprintf("init: wait: %s\n", strerror(-pid));
            return 1;
        }
        if (pid == sh)
            break;
    }
    if (WIFKILLED(status)) {
        eprintf("init: sh killed (vector %d)\n", WKILLVEC(status));
        return 1;
    }
    return WEXITSTATUS(status);
}
