// t_walk: the program of the Bochs walkthrough in docs/dmsm.md. It switches
// itself to Smode, makes a system call, and switches back, so that the
// debugger can show CS before and after and the way each call enters.
#include <stdio.h>
#include <unistd.h>

static unsigned int
cs(void)
{
    unsigned int v;
    __asm__ volatile("mov %%cs, %0" : "=r"(v));
    return v;
}

int
main(void)
{
    printf("walk: Umode, cs=0x%x\n", cs());
    switch_supervisor(0);          // int 0x80; the switch applies at its tail
    int pid = getpid();            // now through the function receiver
    printf("walk: Smode, cs=0x%x, getpid=%d\n", cs(), pid);
    switch_user(0);                // call; back to ring 3 at its tail
    printf("walk: Umode again, cs=0x%x\n", cs());
    printf("PASS t_walk\n");
    return 0;
}
