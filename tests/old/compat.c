// compat: a program built for the conventional system-call library
// (version 1: every stub enters by int 0x80, with no mode test), kept in
// the image as /test/old/compat, linked against that library's
// libsys.so, and /test/old/compat-static, linked with its libsys.a.
// Run by t_compat: it reports "ready", waits for a byte on stdin (meanwhile
// a manager may switch it), then makes ROUNDS rounds of system calls,
// checking each result, and reports its ring and the sum.
//   compat ROUNDS
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 1000;
    int me = getpid();
    printf("compat: ready, pid %d\n", me);
    char go;
    if (read(0, &go, 1) != 1)
        return 2;
    unsigned int cs, sum = 0;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    for (int i = 0; i < rounds; i++) {
        if (getpid() != me)
            return 3;
        sum += (unsigned int)uptime() & 1;
    }
    printf("compat: %d rounds in ring %u\n", rounds, cs & 3);
    return 0;
}
