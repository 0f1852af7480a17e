// t_fpu: the x87 registers are part of a process. Two children run long
// floating-point loops (kept in x87 registers, no system calls) and are
// preempted again and again; each must get exactly the result the parent
// computed alone beforehand. Without per-process x87 state they would
// see each other's registers.
#define TEST_NAME "t_fpu"
#include <string.h>
#include "testlib.h"

static double __attribute__((noinline))
series(double seed, int n)
{
    double x = seed, y = 1.0, z = 0.0;
    for (int i = 0; i < n; i++) {
        x = x * 1.0000001 + 0.25;
        y = y * 0.9999999 + x * 1e-9;
        z = z + y / (x + 1.0);
    }
    return x + y + z;
}

#define N 4000000

int
main(void)
{
    double want[2] = {series(1.5, N), series(-7.25, N)};
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    int pid[2];
    for (int k = 0; k < 2; k++) {
        pid[k] = fork();
        if (pid[k] == 0) {
            double got = series(k ? -7.25 : 1.5, N);
            write(fds[1], &got, sizeof got);
            exit(0);
        }
    }
    int status;
    for (int k = 0; k < 2; k++) // in either order
        CHECK(wait(&status) > 0 && status == 0, "a child ended with 0x%x", status);
    double got[2];
    CHECK(read(fds[0], &got[0], sizeof got[0]) == sizeof got[0], "read");
    CHECK(read(fds[0], &got[1], sizeof got[1]) == sizeof got[1], "read");
    // the children may finish in either order
    int ok = (memcmp(&got[0], &want[0], 8) == 0 && memcmp(&got[1], &want[1], 8) == 0) ||
             (memcmp(&got[0], &want[1], 8) == 0 && memcmp(&got[1], &want[0], 8) == 0);
    CHECK(ok, "a result differs: the x87 state was not kept per process");
    // and in Smode (a timer tick in ring 0 AP code) as well
    CHECK(switch_supervisor(0) == 0, "switch_supervisor");
    for (int k = 0; k < 2; k++) {
        pid[k] = fork();
        if (pid[k] == 0) {
            double got1 = series(k ? -7.25 : 1.5, N);
            exit(memcmp(&got1, &want[k], 8) == 0 ? 0 : 1);
        }
    }
    for (int k = 0; k < 2; k++)
        CHECK(wait(&status) > 0 && status == 0, "an Smode child got a wrong result");
    pass();
}
