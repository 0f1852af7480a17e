// t_faults: every kind of ring-3 fault kills only the faulting process,
// with status WAIT_KILLED_BIT | vector; the parent and a sleeping sibling
// carry on, and no memory is lost.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_faults"
#include "testlib.h"
#include "faults.h"

#define V_DIVIDE 0
#define V_INVALID_OPCODE 6
#define V_GPF 13
#define V_PAGE 14

static void
low_write(void)
{
    *(volatile int *)0x3FF000 = 1; // just below the user base
}

static void
code_write(void)
{
    *(volatile unsigned char *)(void *)&code_write = 0xC3;
}

static void
rodata_write(void)
{
    static const char msg[] = "read-only data";
    *(volatile char *)msg = 'R';
}

static void
modepage_write(void)
{
    ((volatile struct modepage *)MODEPAGE)->mode = MODE_SMODE;
}

static void
kernel_read(void)
{
    sink = *(volatile int *)0xC0100000u;
}

static void
kernel_write(void)
{
    *(volatile int *)KERNBASE = 1;
}

static void
top_read(void)
{
    sink = *(volatile int *)0xFFFFFFF0u;
}

static void
jump_null(void)
{
    void (*volatile f)(void) = 0;
    f();
}

static void
jump_kernel(void)
{
    void (*volatile f)(void) = (void (*)(void))0xC0100000u;
    f();
}

static void
divide_zero(void)
{
    sink = 100 / zero;
}

static void
divide_overflow(void)
{
    volatile int a = (int)0x80000000, b = -1;
    sink = a / b; // INT_MIN / -1 raises the divide error too
}

static void
ud2(void)
{
    __asm__ volatile("ud2");
}

static void
do_cli(void)
{
    __asm__ volatile("cli");
}

static void
do_hlt(void)
{
    __asm__ volatile("hlt");
}

static void
do_int0d(void)
{
    __asm__ volatile("int $0x0d");
}

static void
do_int0e(void)
{
    __asm__ volatile("int $0x0e"); // the page-fault gate is not for ring 3: a GPF
}

static void
do_int3(void)
{
    __asm__ volatile("int3"); // the breakpoint gate is kernel-only here: a GPF
}

static void
far_jump_kernel(void)
{
    __asm__ volatile("ljmp $0x08, $0");
}

static void
load_kernel_ds(void)
{
    __asm__ volatile("movw $0x10, %%ax\n\tmovw %%ax, %%ds" : : : "eax", "memory");
}

static void
port_in(void)
{
    unsigned char v;
    __asm__ volatile("inb $0x60, %0" : "=a"(v));
    sink = v;
}

static void
port_out(void)
{
    // isa-debug-exit: if this worked from ring 3, the machine would power off
    __asm__ volatile("outb %%al, $0xf4" : : "a"(0x55));
}

static void
load_cr3(void)
{
    __asm__ volatile("movl %%eax, %%cr3" : : "a"(0));
}

static void
do_lidt(void)
{
    static struct {
        unsigned short limit;
        unsigned int base;
    } __attribute__((packed)) idtr = {0, 0};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void
stack_overflow(void)
{
    sink = recurse(0);
}

static void
stack_below_guard(void)
{
    // far below the stack reservation: unmapped
    volatile char *p = (volatile char *)0xBFFE0000u;
    *p = 1;
}

static void
sbrk_then_over(void)
{
    char *b = sbrk(0);
    unsigned int next = ((unsigned int)b + 4095) & ~4095u;
    *(volatile char *)(next + 4096 * 3) = 1;
}

static void
bad_esp_push(void)
{
    // a push with ESP pointing into the kernel: the fault is taken on the
    // kernel stack (ring change), so the kernel is not disturbed
    __asm__ volatile("movl $0xC0001000, %%esp\n\tpushl $1" : : : "memory");
}

struct fault {
    const char *name;
    void (*fn)(void);
    int vector;
};

static const struct fault faults[] = {
    {"NULL read", null_read, V_PAGE},
    {"NULL write", null_write, V_PAGE},
    {"write below user base", low_write, V_PAGE},
    {"write to code", code_write, V_PAGE},
    {"write to rodata", rodata_write, V_PAGE},
    {"write to the control area", modepage_write, V_PAGE},
    {"kernel read", kernel_read, V_PAGE},
    {"kernel write", kernel_write, V_PAGE},
    {"read of the top page", top_read, V_PAGE},
    {"call NULL", jump_null, V_PAGE},
    {"call into the kernel", jump_kernel, V_PAGE},
    {"stack overflow", stack_overflow, V_PAGE},
    {"below the stack reservation", stack_below_guard, V_PAGE},
    {"above the break", sbrk_then_over, V_PAGE},
    {"push with a kernel ESP", bad_esp_push, V_PAGE},
    {"divide by zero", divide_zero, V_DIVIDE},
    {"INT_MIN / -1", divide_overflow, V_DIVIDE},
    {"ud2", ud2, V_INVALID_OPCODE},
    {"cli", do_cli, V_GPF},
    {"hlt", do_hlt, V_GPF},
    {"int 0x0d", do_int0d, V_GPF},
    {"int 0x0e", do_int0e, V_GPF},
    {"int3", do_int3, V_GPF},
    {"far jump to the kernel code selector", far_jump_kernel, V_GPF},
    {"load the kernel data selector", load_kernel_ds, V_GPF},
    {"in from a port", port_in, V_GPF},
    {"out to a port", port_out, V_GPF},
    {"mov to cr3", load_cr3, V_GPF},
    {"lidt", do_lidt, V_GPF},
};
#define NFAULTS (int)(sizeof(faults) / sizeof(faults[0]))

// Fork a child that does f; check how it died.
static void
run_fault(const struct fault *f)
{
    fflush_stdout();
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        f->fn();
        _exit(99); // survived: wrong
    }
    int st = 0;
    int w = wait(&st);
    CHECK(w == pid, "%s: wait returned %d, expected %d", f->name, w, pid);
    CHECK(st != 99, "%s: the child survived", f->name);
    CHECK(WIFKILLED(st), "%s: status 0x%x, not killed", f->name, st);
    CHECK(WKILLVEC(st) == f->vector, "%s: killed by vector %d, expected %d", f->name, WKILLVEC(st),
          f->vector);
}

int
main(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    // a sibling that sleeps through all the faults
    int sib = fork();
    CHECK(sib >= 0, "fork: %d", sib);
    if (sib == 0) {
        close(fds[1]);
        char c = 0;
        int r = read(fds[0], &c, 1);
        exit(r == 1 && c == 'k' ? 55 : 56);
    }
    close(fds[0]);

    for (int i = 0; i < NFAULTS; i++)
        run_fault(&faults[i]);
    printf("%d kinds of faults each killed only the faulting child\n", NFAULTS);

    // the parent's own memory and state are intact
    CHECK(current_mode() == MODE_UMODE, "mode flag changed");
    CHECK(((volatile struct modepage *)MODEPAGE)->magic == MODEPAGE_MAGIC, "control area damaged");

    // repeated faults leak no memory
    run_fault(&faults[0]);
    run_fault(&faults[11]);
    unsigned int before = vm().free_frames;
    for (int i = 0; i < NFAULTS; i++)
        run_fault(&faults[i]);
    unsigned int after = vm().free_frames;
    CHECK(after + 4 >= before, "faulting children leaked frames: %u free before, %u after",
          before, after);

    // the sibling still runs
    CHECK(write(fds[1], "k", 1) == 1, "write to sibling");
    int st;
    CHECK(wait(&st) == sib, "wait for the sibling");
    CHECK(st == 55, "sibling status 0x%x, expected 55", st);
    CHECK(wait(&st) == -ECHILD, "children left");
    printf("%d faulting children in all; the parent and the sibling carried on\n",
           NFAULTS * 2 + 2);

    pass();
}
