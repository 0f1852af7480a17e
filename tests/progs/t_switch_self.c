// t_switch_self: a process switches itself between Umode and Smode
// (switch_supervisor(0) / switch_user(0): applied at the tail of the switch
// call itself) and checks its CS, the mode flag and system-call results in
// both modes.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_switch_self"
#include "testlib.h"

// The same system calls, run in the current mode; returns a digest of
// their results that must not depend on the mode.
static unsigned int
exercise(int round)
{
    unsigned int digest = 0;
    int pid = getpid();
    CHECK(pid == 1, "getpid %d", pid);
    digest = digest * 31 + (unsigned)getppid();
    char name[32];
    snprintf(name, sizeof name, "/tmp_self_%d", round);
    int fd = open(name, O_CREAT | O_RDWR | O_TRUNC);
    CHECK(fd >= 0, "open %d", fd);
    CHECK(write(fd, "hello, modes", 12) == 12, "write");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    char buf[16] = {0};
    CHECK(read(fd, buf, sizeof buf) == 12 && memcmp(buf, "hello, modes", 12) == 0, "read");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.size == 12, "fstat");
    CHECK(close(fd) == 0, "close");
    CHECK(unlink(name) == 0, "unlink");
    CHECK(read(99, buf, 1) == -EBADF, "bad fd gives -EBADF");
    CHECK(stat((const char *)0x10, &st) == -EFAULT, "bad pointer gives -EFAULT");
    char *p = sbrk(8192);
    CHECK(!sbrk_failed(p), "sbrk");
    memset(p, 0x5a, 8192);
    CHECK(sbrk(-8192) == p + 8192, "sbrk shrink");
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    int child = fork();
    if (child == 0) {
        // the child inherits the mode
        write(fds[1], current_mode() == MODE_SMODE ? "S" : "U", 1);
        exit(read_cs() & 3);
    }
    CHECK(child > 0, "fork %d", child);
    char m;
    CHECK(read(fds[0], &m, 1) == 1, "pipe read");
    int status = wait_child(child);
    CHECK((m == 'S') == (current_mode() == MODE_SMODE), "child mode %c", m);
    CHECK(WEXITSTATUS(status) == (read_cs() & 3), "child ring %d", status);
    close(fds[0]);
    close(fds[1]);
    digest = digest * 31 + 12 + st.size;
    return digest;
}

int
main(void)
{
    CHECK(read_cs() == 0x1b && current_mode() == MODE_UMODE, "start: cs %x", read_cs());
    unsigned int d0 = exercise(0);

    int r = switch_supervisor(0);
    CHECK(r == 0, "switch_supervisor(0) = %d", r);
    CHECK(read_cs() == 0x08, "after switch_supervisor: cs %x", read_cs());
    CHECK(current_mode() == MODE_SMODE, "flag after switch_supervisor");
    printf("Smode: cs=0x%x\n", read_cs());
    // bad numbers through the function receiver: an error, not a jump to 0
    CHECK(syscall5(0, 0, 0, 0, 0, 0) == -ENOSYS, "call 0 in Smode");
    CHECK(syscall5(9999, 0, 0, 0, 0, 0) == -ENOSYS, "call 9999 in Smode");
    CHECK(switch_supervisor(0) == -EALREADY, "second switch_supervisor(0)");
    CHECK(exercise(1) == d0, "results differ in Smode");

    r = switch_user(0);
    CHECK(r == 0, "switch_user(0) = %d", r);
    CHECK(read_cs() == 0x1b, "after switch_user: cs %x", read_cs());
    CHECK(current_mode() == MODE_UMODE, "flag after switch_user");
    printf("Umode: cs=0x%x\n", read_cs());
    CHECK(exercise(2) == d0, "results differ after returning to Umode");

    for (int i = 0; i < 200; i++) {
        CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "flip %d to Smode", i);
        CHECK(getpid() == 1, "getpid in Smode");
        // `int 0x80` from ring 0 works too (alltraps moves the frame off the
        // program's stack), and the interrupt receiver can apply a switch
        CHECK(conv_getpid() == 1 && read_cs() == 0x08, "int 0x80 from Smode");
        CHECK(switch_user(0) == 0 && read_cs() == 0x1b, "flip %d to Umode", i);
    }
    struct procinfo pi;
    CHECK(modeinfo(0, &pi) == 0 && pi.switches == 402, "switch count %u", pi.switches);
    pass();
}
