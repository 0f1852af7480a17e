// t_walk: the program of the Bochs walkthrough in docs/dmsm.md. It switches
// itself to Smode, makes a system call, and switches back, so that the
// debugger can show CS before and after and the way each call enters.
#include <stdio.h>
#include <unistd.h>

#define TEST_NAME "t_walk"
#include "testlib.h"

int
main(void)
{
    printf("walk: Umode, cs=0x%x\n", read_cs());
    switch_supervisor(0);          // int 0x80; the switch applies at its tail
    int pid = getpid();            // now through the function receiver
    printf("walk: Smode, cs=0x%x, getpid=%d\n", read_cs(), pid);
    switch_user(0);                // call; back to ring 3 at its tail
    printf("walk: Umode again, cs=0x%x\n", read_cs());
    pass();
}
