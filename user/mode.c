// mode: the DMSM manager command. Switches another process between Umode
// and Smode by its pid, or shows its mode.
//   mode s PID    request Smode (switch_supervisor)
//   mode u PID    request Umode (switch_user)
//   mode PID      show mode, pending request and counters (modeinfo)
// A request is only registered: the target applies it at the tail of the
// next system call it makes (the paper's method b).
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
mode_name(int mode)
{
    return mode == MODE_SMODE ? "Smode" : "Umode";
}

// Prints the usage line and exits 1.
static void __attribute__((noreturn))
usage(void)
{
    eprintf("usage: mode s PID | mode u PID | mode PID\n");
    exit(1);
}

static int
parse_pid(const char *s)
{
    char *end;
    long pid = strtol(s, &end, 10);

    if (*s == 0 || *end != 0 || pid < 0)
        usage();
    return (int)pid;
}

static int
show(int pid)
{
    struct procinfo info;
    int r = modeinfo(pid, &info);

    if (r < 0) {
        eprintf("mode: pid %d: %s\n", pid, strerror(-r));
        return 1;
    }
    printf("pid %d (%.*s): %s, ", info.pid, PROC_NAME_MAX, info.name,
           mode_name(info.mode));
    if (info.pending == MODE_NONE)
        printf("no request pending\n");
    else
        printf("pending ->%c\n", info.pending == MODE_SMODE ? 'S' : 'U');
    if (info.refused < 0)
        printf("last request refused: %s\n", strerror(-info.refused));
    printf("may promote: %s\n", info.may_promote ? "yes" : "no");
    printf("trusted program: %s\n", info.trusted ? "yes" : "no");
    printf("switches: %u\n", info.switches);
    return 0;
}

static int
request(int pid, int mode)
{
    int r = mode == MODE_SMODE ? switch_supervisor(pid) : switch_user(pid);

    if (r == -EALREADY) {
        printf("mode: pid %d already %s\n", pid, mode_name(mode));
        return 0;
    }
    if (r < 0) {
        eprintf("mode: pid %d: %s\n", pid, strerror(-r));
        return 1;
    }
    printf("mode: requested %s for pid %d (applies at its next system call)\n",
           mode_name(mode), pid);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 2)
        return show(parse_pid(argv[1]));
    if (argc == 3 && strcmp(argv[1], "s") == 0)
        return request(parse_pid(argv[2]), MODE_SMODE);
    if (argc == 3 && strcmp(argv[1], "u") == 0)
        return request(parse_pid(argv[2]), MODE_UMODE);
    usage();
}
