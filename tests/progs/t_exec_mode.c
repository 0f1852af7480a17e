// t_exec_mode: exec keeps the mode. An Smode process execs this program with
// the argument "child": it must start in ring 0 (CS 0x08, flag Smode, its
// space resident but its stack reservation mostly unmapped: the stack grows
// on demand) with a fresh, correct control area (magic, own pid). The
// same through /bin/smode. A Umode exec ("user") starts in ring 3. fork
// from an Smode process gives an Smode child.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_exec_mode"
#include "testlib.h"

// The checks of a freshly started (or forked) process; exit code 0 or the
// number of the failed check (to the parent, which prints it).
static int
check_self(int smode)
{
    volatile struct modepage *mp = (volatile struct modepage *)MODEPAGE;
    unsigned int cs = read_cs(); // before any system call
    int mode = current_mode();
    if (cs != (smode ? 0x08u : 0x1bu))
        return 10;
    if (mode != (smode ? MODE_SMODE : MODE_UMODE))
        return 11;
    if (mp->magic != MODEPAGE_MAGIC)
        return 12;
    if ((int)mp->pid != getpid())
        return 13;
    if (mp->fcall < 0xC0000000u)
        return 14;
    struct procinfo pi;
    if (modeinfo(0, &pi) != 0 || pi.mode != mode || pi.pending != MODE_NONE)
        return 15;
    // the 64 KiB stack reservation is not mapped up front: at most 2 of its
    // 16 pages (the top one, and one the calls so far may have touched)
    if (smode && (pi.pinned != 1 || pi.swapped != 0 || pi.size / 4096 - pi.resident < 14))
        return 16;
    if (!smode && pi.pinned != 1)
        return 17;
    if (read_cs() != cs || current_mode() != mode) // system calls changed nothing
        return 18;
    char *p = sbrk(4096);
    if (sbrk_failed(p))
        return 19;
    p[0] = 1;
    int fd = open("/t_exec_mode_file", O_CREAT | O_RDWR | O_TRUNC);
    if (fd < 0 || write(fd, "abc", 3) != 3 || lseek(fd, 0, SEEK_SET) != 0)
        return 20;
    char buf[4] = {0};
    if (read(fd, buf, 3) != 3 || strcmp(buf, "abc") != 0 || close(fd) != 0)
        return 21;
    unlink("/t_exec_mode_file");
    return 0;
}

static int
run(const char *path, char *const argv[], int smode_first)
{
    int pid = fork();
    if (pid == 0) {
        if (smode_first && switch_supervisor(0) != 0)
            _exit(2);
        exec(path, argv);
        _exit(3);
    }
    CHECK(pid > 0, "fork");
    return wait_child(pid);
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "child") == 0)
        return check_self(1);
    if (argc == 2 && strcmp(argv[1], "user") == 0)
        return check_self(0);
    CHECK(argc == 1, "usage: " TEST_NAME " [child|user]");
    CHECK(read_cs() == 0x1b, "started in Umode");

    char *child[] = {TEST_NAME, "child", 0};
    char *user[] = {TEST_NAME, "user", 0};
    int status = run("/test/" TEST_NAME, child, 1);
    CHECK(status == 0, "exec from Smode: status 0x%x", status);
    status = run("/test/" TEST_NAME, user, 0);
    CHECK(status == 0, "exec from Umode: status 0x%x", status);
    // a Umode exec of a program that expects Smode must see it is Umode
    status = run("/test/" TEST_NAME, child, 0);
    CHECK(status == 10, "exec from Umode, checked as Smode: status 0x%x", status);

    char *via_smode[] = {"smode", "/test/" TEST_NAME, "child", 0};
    status = run("/bin/smode", via_smode, 0);
    CHECK(status == 0, "/bin/smode " TEST_NAME " child: status 0x%x", status);

    // fork from Smode: the child is Smode, with its own control area
    CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "switch_supervisor(0)");
    for (int i = 0; i < 3; i++) {
        int pid = fork();
        if (pid == 0)
            _exit(check_self(1));
        CHECK(pid > 0, "fork in Smode");
        CHECK(wait(&status) == pid && status == 0, "Smode fork child: status 0x%x", status);
    }
    // exec from a process that is Smode since its own fork
    status = run("/test/" TEST_NAME, child, 0);
    CHECK(status == 0, "exec from an Smode fork child: status 0x%x", status);
    CHECK(switch_user(0) == 0 && read_cs() == 0x1b, "switch_user(0)");
    pass();
}
