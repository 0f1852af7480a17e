// t_efault: every pointer-taking system call, given a bad pointer, returns
// -EFAULT and never crashes the kernel or the caller: NULL, below the user
// base, kernel addresses, the top page, the read-only control area and code
// (for calls that write), unmapped gaps, buffers running off the end of
// mapped memory, and unterminated strings. Also: unknown system calls give
// -ENOSYS.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_efault"
#include "testlib.h"

// Here every CHECK also counts itself: the progress lines give the totals.
#undef CHECK
#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond))                                                           \
            FAIL(__VA_ARGS__);                                                 \
    } while (0)
// expr must give exactly want
#define EXPECT(expr, want, what, addr)                                         \
    do {                                                                       \
        int _r = (int)(expr);                                                  \
        checks++;                                                              \
        if (_r != (want))                                                      \
            FAIL("%s with address 0x%08x returned %d, expected %d", what,      \
                 (unsigned int)(addr), _r, (want));                            \
    } while (0)

#define PG 4096u

static int checks;

// Addresses no system call may write through.
static unsigned int bad_w[] = {
    0,           0x1000,      0x3FFFFC,    0xC0000000u, 0xC0100000u, 0xFFFFF000u,
    MODEPAGE,    0xBFFFE000u /* gap below the control area */,
    0xBFFED000u /* below the stack reservation */,
    0 /* filled in: code */,     0 /* filled in: first unmapped page above the heap */,
};
// Addresses no system call may read through.
static unsigned int bad_r[] = {
    0,           0x1000,      0x3FFFFC,    0xC0000000u, 0xC0100000u, 0xFFFFF000u,
    0xBFFFE000u, 0xBFFED000u, 0 /* filled in: first unmapped page above the heap */,
};
#define NW (sizeof(bad_w) / sizeof(bad_w[0]))
#define NR (sizeof(bad_r) / sizeof(bad_r[0]))

static char *edge; // a mapped heap page; the page after it is unmapped

// The lowest fd open() would return now (to detect leaked descriptors).
static int
next_fd(void)
{
    int fd = open("/README", O_RDONLY);
    CHECK(fd >= 0, "open /README: %d", fd);
    close(fd);
    return fd;
}

static void
exec_checks(const char *unterminated)
{
    // In a child: a wrong success would replace this program.
    fflush_stdout();
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        char *argv[] = {"echo", "x", 0};
        int n = 0;
#define CEXPECT(expr, want, what)                                              \
    do {                                                                       \
        int _r = (int)(expr);                                                  \
        n++;                                                                   \
        if (_r != (want)) {                                                    \
            printf("child: %s returned %d, expected %d\n", what, _r, (want));  \
            exit(1);                                                           \
        }                                                                      \
    } while (0)
        for (unsigned int i = 0; i < NR; i++) {
            CEXPECT(exec((const char *)bad_r[i], argv), -EFAULT, "exec with a bad path");
            // a bad argv array
            CEXPECT(exec("/bin/echo", (char *const *)bad_r[i]), -EFAULT, "exec with bad argv");
            // a bad string inside argv (NULL there would just end the list)
            char *argv2[] = {"echo", (char *)bad_r[i], 0};
            char *argv3[] = {(char *)bad_r[i], 0};
            if (bad_r[i] != 0) {
                CEXPECT(exec("/bin/echo", argv2), -EFAULT, "exec with a bad argv[1]");
                CEXPECT(exec("/bin/echo", argv3), -EFAULT, "exec with a bad argv[0]");
            }
        }
        CEXPECT(exec(unterminated, argv), -EFAULT, "exec with an unterminated path");
        char *argv4[] = {"echo", (char *)unterminated, 0};
        CEXPECT(exec("/bin/echo", argv4), -EFAULT, "exec with an unterminated argv string");
        // an argv array whose terminating NULL would lie on the unmapped page
        char **tail = (char **)(edge + PG - 2 * sizeof(char *));
        tail[0] = "echo";
        tail[1] = "no-null-after-me";
        CEXPECT(exec("/bin/echo", tail), -EFAULT, "exec with argv running off the heap");
        // the process is intact: report success by a distinctive status
        exit(getpid() > 0 ? 77 : 2);
    }
    int st;
    CHECK(wait(&st) == pid, "wait for the exec child");
    CHECK(st == 77, "exec checks in the child failed (status 0x%x)", st);
    checks += NR * 4 - 2 + 3;
}

int
main(void)
{
    char buf[256];
    int fds[2], r, st;

    // Good pointers into pages the program never touched: the kernel must
    // fault them in (a lazy heap page), not refuse them.
    char *fresh = sbrk(2 * PG);
    CHECK(!sbrk_failed(fresh), "sbrk");
    int lazy_fd = open("/README", O_RDONLY);
    CHECK(lazy_fd >= 0 && read(lazy_fd, fresh + PG - 8, 16) == 16, "read into untouched heap "
          "pages (across their boundary) failed");
    CHECK(stat("/README", (struct stat *)(fresh + PG + 64)) == 0, "stat into an untouched page");
    close(lazy_fd);

    // A heap page with nothing mapped after it.
    char *brk0 = sbrk(0);
    unsigned int pad = (PG - (unsigned int)brk0 % PG) % PG;
    char *old = sbrk(pad + PG);
    CHECK(!sbrk_failed(old), "sbrk");
    edge = brk0 + pad;
    CHECK((unsigned int)edge % PG == 0 && sbrk(0) == edge + PG, "heap layout");
    memset(edge, 'a', PG); // no NUL anywhere in it
    bad_w[NW - 2] = (unsigned int)&main;
    bad_w[NW - 1] = (unsigned int)edge + PG;
    bad_r[NR - 1] = (unsigned int)edge + PG;
    const char *unterminated = edge + PG - 16; // 16 bytes of 'a', then the unmapped page
    const char *long_unterminated = edge + PG - 600; // more than PATH_MAX bytes, no NUL

    int fd0 = next_fd();


    // ---- calls that write to user memory ----
    int rfd = open("/README", O_RDONLY);
    CHECK(rfd >= 0, "open /README");
    int dfd = open("/bin", O_RDONLY);
    CHECK(dfd >= 0, "open /bin");
    CHECK(pipe(fds) == 0, "pipe");
    // a zombie child, for wait()
    int zpid = fork();
    CHECK(zpid >= 0, "fork");
    if (zpid == 0)
        exit(3);
    msleep(20);

    for (unsigned int i = 0; i < NW; i++) {
        unsigned int a = bad_w[i];
        EXPECT(read(rfd, (void *)a, 16), -EFAULT, "read(file)", a);
        CHECK(lseek(rfd, 0, SEEK_CUR) == 0, "a failed read moved the file offset");
        CHECK(write(fds[1], "p", 1) == 1, "write to pipe");
        EXPECT(read(fds[0], (void *)a, 1), -EFAULT, "read(pipe)", a);
        r = read(fds[0], buf, 10);
        CHECK(r == 1 && buf[0] == 'p', "the pipe lost its byte after a failed read (%d)", r);
        EXPECT(stat("/README", (struct stat *)a), -EFAULT, "stat's buffer", a);
        EXPECT(fstat(rfd, (struct stat *)a), -EFAULT, "fstat's buffer", a);
        EXPECT(fstat(fds[0], (struct stat *)a), -EFAULT, "fstat(pipe)'s buffer", a);
        EXPECT(pipe((int *)a), -EFAULT, "pipe's fds", a);
        if (a != 0) // wait(NULL) is allowed: it means "no status wanted"
            EXPECT(wait((int *)a), -EFAULT, "wait's status", a);
        EXPECT(procinfo((struct procinfo *)a, 8), -EFAULT, "procinfo's rows", a);
        EXPECT(modeinfo(0, (struct procinfo *)a), -EFAULT, "modeinfo's buffer", a);
        EXPECT(vmstat((struct vmstat *)a), -EFAULT, "vmstat's buffer", a);
        int d = open("/bin", O_RDONLY);
        CHECK(d >= 0, "open /bin");
        EXPECT(getdents(d, (struct dirent *)a, 10 * sizeof(struct dirent)), -EFAULT,
               "getdents' buffer", a);
        close(d);
    }
    // buffers that start in mapped memory and run into the unmapped page
    EXPECT(stat("/README", (struct stat *)(edge + PG - 8)), -EFAULT, "stat straddling", 0);
    EXPECT(fstat(rfd, (struct stat *)(edge + PG - 4)), -EFAULT, "fstat straddling", 0);
    EXPECT(pipe((int *)(edge + PG - 4)), -EFAULT, "pipe straddling", 0);
    EXPECT(wait((int *)(edge + PG - 2)), -EFAULT, "wait straddling", 0);
    EXPECT(vmstat((struct vmstat *)(edge + PG - 12)), -EFAULT, "vmstat straddling", 0);
    EXPECT(procinfo((struct procinfo *)(edge + PG - sizeof(struct procinfo) / 2), 1), -EFAULT,
           "procinfo straddling", 0);
    EXPECT(modeinfo(0, (struct procinfo *)(edge + PG - 20)), -EFAULT, "modeinfo straddling", 0);
    EXPECT(getdents(dfd, (struct dirent *)(edge + PG - 32), sizeof(struct dirent)), -EFAULT,
           "getdents straddling", 0);
    // a length that wraps around the address space
    EXPECT(read(rfd, (void *)0xFFFFF000u, 0x2000), -EFAULT, "read wrapping", 0xFFFFF000u);
    // the failed calls left no descriptors behind, and the zombie is still there
    CHECK(next_fd() == fd0 + 4, "failed pipe() calls leaked descriptors (next fd %d, expected %d)",
          next_fd(), fd0 + 4);
    r = wait(&st);
    CHECK(r == zpid && st == 3, "the zombie was lost by a failed wait: wait %d status %d", r, st);
    // the same calls work with good buffers
    struct stat sst;
    CHECK(stat("/README", &sst) == 0 && sst.size > 0, "stat with a good buffer");
    struct vmstat vs;
    CHECK(vmstat(&vs) == 0 && vs.total_frames > 0, "vmstat with a good buffer");
    printf("%d checks of calls that write to user memory\n", checks);

    // ---- calls that read user memory ----
    int wfd = open("/efault_tmp", O_CREAT | O_RDWR);
    CHECK(wfd >= 0, "create /efault_tmp");
    for (unsigned int i = 0; i < NR; i++) {
        unsigned int a = bad_r[i];
        EXPECT(write(wfd, (void *)a, 16), -EFAULT, "write(file)", a);
        EXPECT(write(fds[1], (void *)a, 16), -EFAULT, "write(pipe)", a);
        EXPECT(write(1, (void *)a, 16), -EFAULT, "write(console)", a);
        EXPECT(open((const char *)a, O_RDONLY), -EFAULT, "open's path", a);
        EXPECT(open((const char *)a, O_CREAT | O_RDWR), -EFAULT, "open(O_CREAT)'s path", a);
        EXPECT(stat((const char *)a, &sst), -EFAULT, "stat's path", a);
        EXPECT(mkdir((const char *)a), -EFAULT, "mkdir's path", a);
        EXPECT(unlink((const char *)a), -EFAULT, "unlink's path", a);
        EXPECT(chdir((const char *)a), -EFAULT, "chdir's path", a);
    }
    EXPECT(write(wfd, edge + PG - 8, 16), -EFAULT, "write straddling (file)", 0);
    EXPECT(write(wfd, (void *)0xFFFFF000u, 0x2000), -EFAULT, "write wrapping", 0xFFFFF000u);
    CHECK(fstat(wfd, &sst) == 0 && sst.size <= 8, "failed writes grew the file to %u", sst.size);
    // a pipe holding nothing after failed writes
    CHECK(write(fds[1], "z", 1) == 1 && read(fds[0], buf, 10) == 1 && buf[0] == 'z',
          "failed writes put data into the pipe");
    // unterminated strings running into the unmapped page (the straddling
    // calls above may have written part of their results into it: refill)
    memset(edge, 'a', PG);
    unsigned int u = (unsigned int)unterminated;
    EXPECT(open(unterminated, O_RDONLY), -EFAULT, "open of an unterminated path", u);
    EXPECT(open(unterminated, O_CREAT | O_RDWR), -EFAULT, "create of an unterminated path", u);
    EXPECT(stat(unterminated, &sst), -EFAULT, "stat of an unterminated path", u);
    EXPECT(mkdir(unterminated), -EFAULT, "mkdir of an unterminated path", u);
    EXPECT(unlink(unterminated), -EFAULT, "unlink of an unterminated path", u);
    EXPECT(chdir(unterminated), -EFAULT, "chdir of an unterminated path", u);
    // longer than PATH_MAX without a NUL: too long (the end is never reached)
    EXPECT(stat(long_unterminated, &sst), -ENAMETOOLONG, "stat of a 600-byte path",
           (unsigned int)long_unterminated);
    // a string whose NUL is the very last mapped byte is fine
    char *lastname = edge + PG - 8;
    memcpy(lastname, "/README", 8);
    CHECK(stat(lastname, &sst) == 0 && sst.type == T_FILE, "path ending at the last mapped byte");
    memset(lastname, 'a', 8);
    // the control area and the code are readable: writing from them works
    CHECK(write(fds[1], (void *)MODEPAGE, 4) == 4, "write from the control area failed");
    unsigned int magic = 0;
    CHECK(read(fds[0], &magic, 4) == 4 && magic == MODEPAGE_MAGIC,
          "data written from the control area: 0x%x", magic);
    CHECK(write(fds[1], (void *)&main, 8) == 8 && read(fds[0], buf, 8) == 8 &&
              memcmp(buf, (void *)&main, 8) == 0,
          "write from the code segment");
    // nothing was created or changed by the failed calls
    int fdl = open("/", O_RDONLY);
    struct dirent de[4];
    int entries = 0;
    while ((r = getdents(fdl, de, sizeof(de))) > 0)
        for (int k = 0; k < r / (int)sizeof(de[0]); k++) {
            entries++;
            CHECK(strcmp(de[k].name, "aaaaaaaaaaaaaaaa") != 0,
                  "a failed call created %s", de[k].name);
        }
    close(fdl);
    CHECK(entries >= 4, "root directory has %d entries", entries);
    CHECK(stat("/", &sst) == 0 && stat(".", &sst) == 0 && sst.type == T_DIR,
          "the working directory changed");
    close(wfd);
    CHECK(unlink("/efault_tmp") == 0, "unlink /efault_tmp");
    printf("%d checks including calls that read user memory\n", checks);

    // ---- path lengths (copyinstr's bounds, get_path's name check) ----
    static char path[PATH_MAX + 8];
    CHECK(open("", O_RDONLY) == -ENOENT, "open(\"\") must be -ENOENT");
    memset(path, 'n', NAME_MAX);
    path[NAME_MAX] = 0;
    CHECK(open(path, O_RDONLY) == -ENOENT, "a name of NAME_MAX bytes must be allowed (-ENOENT)");
    memset(path, 'n', NAME_MAX + 1);
    path[NAME_MAX + 1] = 0;
    CHECK(open(path, O_RDONLY) == -ENAMETOOLONG, "a name of NAME_MAX + 1 bytes: -ENAMETOOLONG");
    for (int i = 0; i < PATH_MAX - 1; i++) // short names: only the whole path's length counts
        path[i] = i % 2 ? '/' : 'd';
    path[PATH_MAX - 1] = 0;
    CHECK(open(path, O_RDONLY) == -ENOENT, "a path of PATH_MAX - 1 bytes must be allowed (-ENOENT)");
    path[PATH_MAX - 1] = 'd';
    path[PATH_MAX] = 0;
    CHECK(open(path, O_RDONLY) == -ENAMETOOLONG, "a path of PATH_MAX bytes: -ENAMETOOLONG");
    printf("path lengths: NAME_MAX and PATH_MAX hold exactly\n");

    // ---- exec ----
    exec_checks(unterminated);

    // ---- unknown system call numbers ----
    EXPECT(syscall5(9999, 1, 2, 3, 4, 5), -ENOSYS, "system call 9999", 9999);
    EXPECT(syscall5(NSYSCALL, 0, 0, 0, 0, 0), -ENOSYS, "system call NSYSCALL", NSYSCALL);
    EXPECT(syscall5(0, 0, 0, 0, 0, 0), -ENOSYS, "system call 0", 0);
    for (int nr = -1; nr >= -64; nr--) // below the table: a signed test would reach them
        EXPECT(syscall5(nr, 0, 0, 0, 0, 0), -ENOSYS, "a negative system call", nr);
    EXPECT(syscall5(-100000, 0, 0, 0, 0, 0), -ENOSYS, "system call -100000", -100000);
    EXPECT(syscall5(0x7FFFFFFF, 0, 0, 0, 0, 0), -ENOSYS, "system call 0x7fffffff", 0x7FFFFFFF);
    // a known call through the same path works
    EXPECT(syscall5(SYS_getpid, 0, 0, 0, 0, 0), getpid(), "getpid by number", SYS_getpid);

    close(rfd);
    close(dfd);
    close(fds[0]);
    close(fds[1]);
    CHECK(next_fd() == fd0, "descriptors leaked: next fd %d, expected %d", next_fd(), fd0);
    printf("%d checks done\n", checks);
    pass();
}
