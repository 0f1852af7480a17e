// cpustat: one line of the machine's time and of some processes' system-call
// counters, for measuring a server from outside (make bench's httpd runs:
// the difference of two lines around a load gives busy time and system
// calls per request).
//   cpustat [PID ...]
// prints
//   cpustat: tsc=T idle=I busy=T-I
//   cpustat: pid=P name=N mode=Umode|Smode syscalls=S int80=K switches=W
// The time-stamp counter counts guest instructions under QEMU -icount, so
// there busy is instructions executed while not halted.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    struct vmstat vm;
    int r = vmstat(&vm);
    if (r < 0) {
        eprintf("cpustat: vmstat: %d\n", r);
        return 1;
    }
    printf("cpustat: tsc=%llu idle=%llu busy=%llu\n", vm.tsc, vm.idle_tsc, vm.tsc - vm.idle_tsc);
    for (int i = 1; i < argc; i++) {
        struct procinfo pi;
        int pid = atoi(argv[i]);
        if (pid <= 0 || modeinfo(pid, &pi) < 0) {
            eprintf("cpustat: no process %s\n", argv[i]);
            return 1;
        }
        printf("cpustat: pid=%d name=%.*s mode=%s syscalls=%u int80=%u switches=%u\n", pi.pid,
               PROC_NAME_MAX, pi.name, pi.mode == MODE_SMODE ? "Smode" : "Umode", pi.syscalls,
               pi.int80, pi.switches);
    }
    return 0;
}
