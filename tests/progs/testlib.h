// testlib.h: the helpers the test programs in tests/progs share. Header
// only (the Makefile builds every tests/progs/*.c into a program of its own).
//
// The convention: a test may print progress lines, then exactly one final
// line, `PASS t_NAME` (and exits 0) or `FAIL t_NAME: why` (and exits 1);
// tests/cases.ini expects the PASS line. A test names itself first:
//
//     #define TEST_NAME "t_example"
//     #include "testlib.h"
//     ...
//     CHECK(fd >= 0, "open: %d", fd); // else "FAIL t_example: open: -2", exit 1
//     pass();                         // "PASS t_example", exit 0
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef TEST_NAME
#error "define TEST_NAME (the program's name, \"t_...\") before including testlib.h"
#endif

// Print "FAIL t_NAME: " and the printf-style message (the format must be a
// string literal), and exit 1.
#define FAIL(...)                                                              \
    do {                                                                       \
        printf("FAIL " TEST_NAME ": " __VA_ARGS__);                            \
        printf("\n");                                                          \
        exit(1);                                                               \
    } while (0)

// FAIL with the message unless cond holds.
#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            FAIL(__VA_ARGS__);                                                 \
    } while (0)

// In a child whose exit code is its verdict: 0 ok, else n, the number of
// the check that failed (the parent's CHECK on the status names it).
#define CHILD_CHECK(n, cond)                                                   \
    do {                                                                       \
        if (!(cond))                                                           \
            _exit(n);                                                          \
    } while (0)

// The final line of a test that passed; exit 0.
static inline void __attribute__((noreturn))
pass(void)
{
    printf("PASS " TEST_NAME "\n");
    exit(0);
}

// The code segment selector: 0x08 in Smode (ring 0), 0x1b in Umode (ring 3).
static inline unsigned int
read_cs(void)
{
    unsigned int cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
}

// EFLAGS bits a test sets on purpose (kernel/mmu.h has them all).
#define FL_TF 0x100
#define FL_IF 0x200
#define FL_DF 0x400
#define FL_IOPL 0x3000
#define FL_NT 0x4000
#define FL_AC 0x40000

// The flags the program runs with now.
static inline unsigned int
eflags(void)
{
    unsigned int f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

// Set flag bits (legal in any ring; IOPL and IF only change in ring 0).
static inline void
set_flags(unsigned int bits)
{
    __asm__ volatile("pushfl; orl %0, (%%esp); popfl" : : "r"(bits) : "cc", "memory");
}

// Wait for a child, which must be pid; return its status.
static inline int
wait_child(int pid)
{
    int status;
    CHECK(wait(&status) == pid, "wait");
    return status;
}

// Grow the heap until sbrk refuses: by chunk pages while it can, then page
// by page. Stores the old break in *start; returns the pages gained.
static inline unsigned int
grow_until_refused(char **start, unsigned int chunk)
{
    *start = sbrk(0);
    unsigned int n = 0;
    while (!sbrk_failed(sbrk((int)(chunk * 4096))))
        n += chunk;
    while (!sbrk_failed(sbrk(4096)))
        n++;
    return n;
}

// Copy the file from to the new file to (replaced if it exists).
static inline void
copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC);
    CHECK(in >= 0 && out >= 0, "copy %s to %s: %d %d", from, to, in, out);
    static char buf[4096];
    int n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        CHECK(write(out, buf, n) == n, "write %s", to);
    CHECK(n == 0, "read %s: %d", from, n);
    close(in);
    close(out);
}

// fork + exec of /bin/echo with msg still works (after what the test did to
// the system): the child's status must be 0.
static inline void
echo_still_works(const char *msg)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        char *args[] = {"echo", (char *)msg, 0};
        exec("/bin/echo", args);
        exit(5);
    }
    int st = wait_child(pid);
    CHECK(st == 0, "fork+exec of /bin/echo afterwards: status 0x%x", st);
}

// The system's memory counters.
static inline struct vmstat
vm(void)
{
    struct vmstat v;
    CHECK(vmstat(&v) == 0, "vmstat");
    return v;
}

#endif
