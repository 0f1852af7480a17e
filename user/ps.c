// ps: one row per process, from procinfo().
//   MODE   the mode the process runs in now: Umode or Smode
//   PEND   a requested mode not yet applied (->S, ->U), or -
//   SIZE   user memory in KiB; RES, SWAP, PIN in pages; FLT page faults
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#define MAXROWS 64

static const char *
state_name(int state)
{
    switch (state) {
    case PS_EMBRYO:
        return "embryo";
    case PS_SLEEPING:
        return "sleep";
    case PS_RUNNABLE:
        return "runbl";
    case PS_RUNNING:
        return "run";
    case PS_ZOMBIE:
        return "zombie";
    default:
        return "?";
    }
}

static const char *
pending_name(int pending)
{
    if (pending == MODE_SMODE)
        return "->S";
    if (pending == MODE_UMODE)
        return "->U";
    return "-";
}

int
main(int argc, char **argv)
{
    static struct procinfo rows[MAXROWS]; // 64 rows: too large for the stack
    (void)argv;

    if (argc != 1) {
        eprintf("usage: ps\n");
        return 1;
    }
    int n = procinfo(rows, MAXROWS);
    if (n < 0) {
        eprintf("ps: %s\n", strerror(-n));
        return 1;
    }
    // The header uses the same field widths as the rows below it.
    printf("%5s %5s %-6s %-5s %4s %7s %5s %5s %5s %6s  %s\n", "PID", "PPID",
           "STATE", "MODE", "PEND", "SIZE", "RES", "SWAP", "PIN", "FLT", "NAME");
    for (int i = 0; i < n; i++) {
        struct procinfo *p = &rows[i];
        if (p->state == PS_UNUSED)
            continue;
        printf("%5d %5d %-6s %-5s %4s %6uK %5u %5u %5u %6u  %.*s\n", p->pid,
               p->ppid, state_name(p->state),
               p->mode == MODE_SMODE ? "Smode" : "Umode", pending_name(p->pending),
               (p->size + 1023) / 1024, p->resident, p->swapped, p->pinned,
               p->faults, PROC_NAME_MAX, p->name);
    }
    return 0;
}
