// t_df_irq: the double-fault kill serves the device whose interrupt
// double-faulted. An Smode child masks the timer at the PIC (ring 0 may use
// in/out), says it is ready, waits with interrupts off until the harness's
// first byte is in the UART, then puts ESP 8 bytes above its guard page and
// turns interrupts on: COM1's IRQ is delivered on that stack and double-
// faults. Unless the kill reads the UART, its line stays high, the edge-
// triggered PIC never interrupts for it again, and the read below never
// returns. The parent unmasks the timer and reads the rest of the input.
#include <string.h>

#define TEST_NAME "t_df_irq"
#include "testlib.h"

#define PIC1_DATA 0x21
#define COM1_LSR 0x3FD
#define LSR_DR 0x01
#define STACK_LOW (0xBFFFE000u - 64 * 1024u) // kernel/mmu.h USTACKBASE

static inline unsigned char
inb(unsigned short port)
{
    unsigned char v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void
outb(unsigned short port, unsigned char v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

int
main(void)
{
    CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "switch_supervisor(0)");
    int pid = fork();
    if (pid == 0) {
        __asm__ volatile("cli");
        outb(PIC1_DATA, inb(PIC1_DATA) | 1); // mask IRQ 0: COM1 must be the IRQ that faults
        printf("t_df_irq: ready for input\n");
        while (!(inb(COM1_LSR) & LSR_DR)) // the harness types once it sees "ready"
            ;
        __asm__ volatile("mov %0, %%esp; sti\n1: jmp 1b" : : "r"(STACK_LOW + 8));
    }
    CHECK(pid > 0, "fork");
    int s = wait_child(pid);
    outb(PIC1_DATA, inb(PIC1_DATA) & ~1); // the timer again
    CHECK(WIFKILLED(s) && WKILLVEC(s) == 8, "child status 0x%x, expected vector 8", s);
    printf("t_df_irq: COM1's IRQ double-faulted; reading the console\n");
    char line[64];
    int n = read(0, line, sizeof line - 1);
    CHECK(n > 0, "read: %d", n);
    line[n] = 0;
    CHECK(strcmp(line, "typed after the kill\n") == 0, "read %d bytes: %s", n, line);
    printf("t_df_irq: read \"typed after the kill\"\n");
    pass();
}
