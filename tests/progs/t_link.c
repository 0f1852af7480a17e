// t_link: hard links and rename in the in-memory file system, in the mode
// the test is started in (tests/cases.ini runs it in Umode and, through
// `smode`, in Smode). Each part is one behaviour, in the spirit of xv6's
// usertests (linktest, unlink of an open file, concreate, linkunlink,
// subdir, bigdir, iref, dirfile) but written for this system's API:
// link counts, an inode freed at its last link and last close, rename's
// replacing, refusing and atomicity, and the POSIX errors.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_link"
#include "testlib.h"

#define DIR "/tmp/tl"

// Create path with the contents s; 0 or an error.
static int
put(const char *path, const char *s)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC);
    if (fd < 0)
        return fd;
    int n = (int)strlen(s), r = write(fd, s, n);
    close(fd);
    return r == n ? 0 : -1;
}

// The contents of path (at most 63 bytes) in a static buffer, or "" if none.
static const char *
get(const char *path)
{
    static char buf[64];
    int fd = open(path, O_RDONLY), n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : 0;
    buf[n > 0 ? n : 0] = 0;
    if (fd >= 0)
        close(fd);
    return buf;
}

// Link count of path (-1 if it does not exist), and its inode number in *ino.
static int
nlink(const char *path, unsigned int *ino)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    if (ino)
        *ino = st.ino;
    return (int)st.nlink;
}

// Entries in the directory path (getdents).
static int
entries(const char *path)
{
    int fd = open(path, O_RDONLY), n = 0, r;
    CHECK(fd >= 0, "open %s", path);
    struct dirent de[8];
    while ((r = getdents(fd, de, sizeof de)) > 0)
        n += r / (int)sizeof(de[0]);
    close(fd);
    return n;
}

static void
linktest(void)
{
    unsigned int a, b;
    CHECK(put("a", "hello") == 0, "create a");
    CHECK(link("a", "b") == 0, "link a b");
    CHECK(nlink("a", &a) == 2 && nlink("b", &b) == 2 && a == b, "after link: nlink %d %d",
          nlink("a", 0), nlink("b", 0));
    CHECK(strcmp(get("b"), "hello") == 0, "b reads \"%s\"", get("b"));
    CHECK(put("b", "world") == 0 && strcmp(get("a"), "world") == 0, "a write through b");
    CHECK(unlink("a") == 0 && nlink("a", 0) == -1 && nlink("b", 0) == 1, "unlink a");
    CHECK(strcmp(get("b"), "world") == 0, "b after unlink a");
    CHECK(link("a", "c") == -ENOENT, "link of a missing file");
    CHECK(link("b", "b") == -EEXIST, "link over itself");
    CHECK(put("c", "") == 0 && link("b", "c") == -EEXIST, "link over a file");
    CHECK(link("b", "/tmp/nodir/x") == -ENOENT, "link into a missing directory");
    CHECK(mkdir("d") == 0 && link("d", "d2") == -EPERM, "link to a directory: not -EPERM");
    CHECK(link(".", "dot") == -EPERM && link("b", ".") == -EEXIST, "link with . names");
    CHECK(link("b", "d/b") == 0 && nlink("b", 0) == 2, "link into a subdirectory");
    CHECK(unlink("b") == 0 && strcmp(get("d/b"), "world") == 0, "the other name lives on");
    CHECK(unlink("d/b") == 0 && unlink("c") == 0 && unlink("d") == 0, "clean up");
    CHECK(entries(".") == 0, "leftovers");
}

// An open file stays readable and writable after its last unlink; its
// frames come back at its last close, not before.
static void
unlink_open(void)
{
    static char page[4096];
    memset(page, 'u', sizeof page);
    int fd = open("big", O_CREAT | O_RDWR);
    CHECK(fd >= 0, "create big");
    for (int i = 0; i < 4; i++)
        CHECK(write(fd, page, sizeof page) == sizeof page, "write big");
    CHECK(link("big", "big2") == 0 && unlink("big") == 0 && unlink("big2") == 0, "unlink both");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.nlink == 0 && st.size == 4 * 4096, "fstat: nlink %u",
          st.nlink);
    char c = 0;
    CHECK(lseek(fd, 4096, SEEK_SET) == 4096 && read(fd, &c, 1) == 1 && c == 'u',
          "read after unlink");
    CHECK(write(fd, "x", 1) == 1, "write after unlink");
    int fd2 = dup(fd);
    struct vmstat before = vm();
    close(fd);
    struct vmstat mid = vm();
    close(fd2);
    struct vmstat after = vm();
    CHECK(mid.free_frames <= before.free_frames, "freed at a close that was not the last");
    CHECK(after.free_frames >= mid.free_frames + 4, "the last close freed %d frames",
          (int)(after.free_frames - mid.free_frames));
    CHECK(nlink("big", 0) == -1, "big is back");
}

static void
renametest(void)
{
    unsigned int i1, i2;
    CHECK(put("r1", "one") == 0 && nlink("r1", &i1) == 1, "create r1");
    CHECK(rename("r1", "r2") == 0 && nlink("r1", 0) == -1, "rename r1 r2");
    CHECK(nlink("r2", &i2) == 1 && i2 == i1 && strcmp(get("r2"), "one") == 0, "r2 is r1");
    CHECK(rename("r2", "r2") == 0 && strcmp(get("r2"), "one") == 0, "rename to itself");
    CHECK(link("r2", "r3") == 0 && rename("r2", "r3") == 0 && nlink("r2", 0) == 2 &&
              nlink("r3", 0) == 2,
          "rename between two links of one file must do nothing");
    CHECK(unlink("r3") == 0, "unlink r3");
    // replacing a file: its old inode lives on while open
    CHECK(put("t", "target") == 0, "create t");
    int fd = open("t", O_RDONLY);
    CHECK(rename("r2", "t") == 0 && strcmp(get("t"), "one") == 0 && nlink("r2", 0) == -1,
          "rename over a file");
    char buf[8] = {0};
    CHECK(read(fd, buf, 6) == 6 && strcmp(buf, "target") == 0, "the replaced file, open");
    close(fd);
    // errors
    CHECK(rename("missing", "x") == -ENOENT, "rename of a missing name");
    CHECK(rename("t", "/tmp/nodir/x") == -ENOENT, "rename into a missing directory");
    CHECK(rename(".", "x") == -EINVAL && rename("t", "..") == -EINVAL, "rename of . or ..");
    CHECK(mkdir("dd") == 0 && rename("t", "dd") == -EISDIR, "file over a directory");
    CHECK(rename("dd", "t") == -ENOTDIR, "directory over a file");
    CHECK(rename("t/", "u") == -ENOTDIR, "a file named \"t/\"");
    CHECK(mkdir("dd/sub") == 0 && rename("dd", "dd/sub/x") == -EINVAL &&
              rename("dd", "dd/x") == -EINVAL && rename("dd", "dd/sub") == -EINVAL,
          "a directory into its own subtree");
    CHECK(mkdir("de") == 0 && rename("dd", "de") == 0 && nlink("dd", 0) == -1 &&
              nlink("de/sub", 0) == 1,
          "a directory over an empty one");
    CHECK(mkdir("df") == 0 && rename("df", "de") == -ENOTEMPTY, "over a non-empty directory");
    // across directories: the moved directory's ".." follows
    unsigned int dfino, upino;
    CHECK(rename("de/sub", "df/moved") == 0 && nlink("df", &dfino) == 1 &&
              nlink("df/moved/..", &upino) == 1 && upino == dfino,
          "\"..\" of a moved directory");
    CHECK(rename("t", "df/moved/t") == 0 && strcmp(get("df/moved/t"), "one") == 0,
          "a file into another directory");
    CHECK(unlink("df/moved/t") == 0 && unlink("df/moved") == 0 && unlink("df") == 0 &&
              unlink("de") == 0,
          "clean up");
    CHECK(entries(".") == 0, "leftovers");
}

// A path through a file is no directory: nothing may be made there.
static void
dirfile(void)
{
    CHECK(put("df", "f") == 0, "create df");
    CHECK(open("df/x", O_CREAT | O_RDWR) < 0 && mkdir("df/x") < 0, "create in a file");
    CHECK(link("df", "df/x") < 0 && rename("df", "df/x") < 0, "link or rename into a file");
    CHECK(unlink("df/x") < 0 && unlink("df/") == -ENOTDIR, "unlink through a file");
    CHECK(chdir("df") == -ENOTDIR, "chdir to a file");
    CHECK(open(".", O_RDWR) == -EISDIR && link(".", "x") == -EPERM, "the directory itself");
    CHECK(unlink(".") == -EINVAL && unlink("..") == -EINVAL, "unlink . or ..");
    CHECK(unlink("df") == 0 && entries(".") == 0, "clean up");
}

// Directories inside directories, by relative and absolute names.
static void
subdir(void)
{
    CHECK(mkdir("s") == 0 && put("s/f", "ff") == 0, "s/f");
    CHECK(unlink("s") == -ENOTEMPTY, "unlink a non-empty directory");
    CHECK(mkdir("s/t") == 0 && link("s/f", "s/t/f") == 0 && nlink("s/f", 0) == 2, "s/t/f");
    CHECK(chdir("s/t") == 0 && strcmp(get("f"), "ff") == 0 && strcmp(get("../f"), "ff") == 0,
          "relative names in s/t");
    CHECK(link("../f", "g") == 0 && nlink(DIR "/s/f", 0) == 3, "link from a relative path");
    CHECK(rename("g", "../../h") == 0 && nlink(DIR "/h", 0) == 3, "rename up two levels");
    CHECK(chdir("../..") == 0 && unlink("h") == 0 && unlink("s/t/f") == 0, "unlink links");
    CHECK(nlink("s/f", 0) == 1 && unlink("s/t") == 0 && unlink("s/f") == 0 && unlink("s") == 0,
          "clean up");
    CHECK(entries(".") == 0, "leftovers");
}

// Many names of one file in one directory.
static void
bigdir(void)
{
    enum { N = 500 };
    char name[16];
    CHECK(put("big", "b") == 0 && mkdir("bd") == 0, "create");
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "bd/x%03d", i);
        int r = link("big", name);
        CHECK(r == 0, "link %s: %d", name, r);
    }
    CHECK(nlink("big", 0) == N + 1 && entries("bd") == N, "nlink %d, %d entries",
          nlink("big", 0), entries("bd"));
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "bd/x%03d", i);
        CHECK(strcmp(get(name), "b") == 0 && unlink(name) == 0, "unlink %s", name);
    }
    CHECK(nlink("big", 0) == 1 && entries("bd") == 0, "after the unlinks");
    CHECK(unlink("big") == 0 && unlink("bd") == 0, "clean up");
}

// Removing the working directory from inside, over and over: names stay
// consistent and nothing leaks (the kernel heap comes back to where it was).
static void
iref(void)
{
    unsigned int heap = 0;
    for (int i = 0; i < 60; i++) {
        if (i == 10)
            heap = vm().heap_used; // after the first rounds reached their sizes
        CHECK(mkdir("irefd") == 0 && chdir("irefd") == 0, "mkdir/chdir irefd");
        CHECK(put("f", "i") == 0 && link("f", "g") == 0 && link("/README", "r") == 0,
              "links in irefd");
        CHECK(unlink("f") == 0 && unlink("g") == 0 && unlink("r") == 0, "unlinks");
        CHECK(unlink(DIR "/irefd") == 0, "unlink the working directory");
        CHECK(open("x", O_CREAT | O_RDWR) == -ENOENT && link("/README", "y") == -ENOENT &&
                  mkdir("z") == -ENOENT,
              "create in a removed directory");
        CHECK(chdir(DIR) == 0, "chdir back");
    }
    CHECK(vm().heap_used == heap, "the kernel heap grew by %d bytes", (int)(vm().heap_used - heap));
    CHECK(entries(".") == 0, "leftovers");
}

// Every name of the set that exists is a file whose link count is the
// number of names in the set that share its inode (all links stay here).
static void
consistent(const char *fmt, int n)
{
    unsigned int ino[64];
    int links[64];
    char name[16];
    CHECK(n <= 64, "too many names");
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, fmt, i);
        links[i] = nlink(name, &ino[i]);
    }
    for (int i = 0; i < n; i++) {
        if (links[i] < 0)
            continue;
        int same = 0;
        for (int j = 0; j < n; j++)
            same += links[j] >= 0 && ino[j] == ino[i];
        CHECK(links[i] == same, "name %d: nlink %d but %d names", i, links[i], same);
    }
}

// Three processes create, link and unlink the same names at once.
static void
concreate(void)
{
    enum { N = 40, PROCS = 3 };
    char name[16], other[16];
    struct vmstat before = vm();
    for (int round = 0; round < 2; round++) {
        int pids[PROCS];
        for (int c = 0; c < PROCS; c++) {
            pids[c] = fork();
            CHECK(pids[c] >= 0, "fork");
            if (pids[c] > 0)
                continue;
            for (int i = 0; i < N; i++) {
                snprintf(name, sizeof name, "c%02d", i);
                snprintf(other, sizeof other, "c%02d", (i * 7 + 3) % N);
                int op = round == 1 ? 2 : (i + c) % 3;
                if (op == 0 && put(name, "c") < 0)
                    _exit(1);
                if (op == 1) {
                    int r = link(other, name);
                    if (r < 0 && r != -ENOENT && r != -EEXIST)
                        _exit(2);
                }
                if (op == 2) {
                    int r = unlink(name);
                    if (r < 0 && r != -ENOENT)
                        _exit(3);
                }
                if (i % 8 == c)
                    yield();
            }
            _exit(0);
        }
        for (int c = 0; c < PROCS; c++) { // in any order
            int status, pid = wait(&status);
            CHECK(pid > 0 && status == 0, "concreate child %d: status 0x%x", pid, status);
        }
        consistent("c%02d", N);
    }
    CHECK(entries(".") == 0, "after the unlink round: %d entries", entries("."));
    CHECK(vm().free_frames >= before.free_frames, "frames lost: %d",
          (int)(before.free_frames - vm().free_frames));
}

// Two processes do random creates, links and unlinks on five names.
static void
linkunlink(void)
{
    char a[8], b[8];
    int pid = fork();
    CHECK(pid >= 0, "fork");
    unsigned int x = pid ? 1 : 97;
    for (int i = 0; i < 300; i++) {
        x = x * 1103515245u + 12345u;
        snprintf(a, sizeof a, "u%u", (x >> 8) % 5);
        snprintf(b, sizeof b, "u%u", (x >> 12) % 5);
        int r = 0;
        switch ((x >> 16) % 3) {
        case 0: r = put(a, "u"); break;
        case 1: r = link(b, a); r = r == -ENOENT || r == -EEXIST ? 0 : r; break;
        case 2: r = unlink(a); r = r == -ENOENT ? 0 : r; break;
        }
        if (r < 0 && pid == 0)
            _exit(1);
        CHECK(r == 0, "linkunlink op %d: %d", i, r);
    }
    if (pid == 0)
        _exit(0);
    CHECK(wait_child(pid) == 0, "the linkunlink child");
    consistent("u%d", 5);
    for (int i = 0; i < 5; i++) {
        snprintf(a, sizeof a, "u%d", i);
        unlink(a);
    }
    CHECK(entries(".") == 0, "leftovers");
}

// rename is one step: a reader never finds the target missing while a
// writer keeps replacing it.
static void
rename_atomic(void)
{
    CHECK(put("target", "v") == 0, "create target");
    int pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        for (int i = 0; i < 300; i++)
            if (put("new", "v") < 0 || rename("new", "target") < 0)
                _exit(1);
        _exit(0);
    }
    for (int i = 0; i < 300; i++) {
        int fd = open("target", O_RDONLY);
        CHECK(fd >= 0, "the target was missing during a rename: %d", fd);
        close(fd);
        if (i % 4 == 0)
            yield();
    }
    CHECK(wait_child(pid) == 0, "the renaming child");
    CHECK(nlink("new", 0) == -1 && unlink("target") == 0, "clean up");
}

int
main(void)
{
    int mode = current_mode();
    printf("t_link: running in %s\n", mode == MODE_SMODE ? "Smode" : "Umode");
    CHECK(mkdir(DIR) == 0 && chdir(DIR) == 0, "mkdir %s", DIR);
    linktest();
    unlink_open();
    renametest();
    dirfile();
    subdir();
    bigdir();
    iref();
    concreate();
    linkunlink();
    rename_atomic();
    CHECK(current_mode() == mode, "the mode changed");
    CHECK(chdir("/") == 0 && unlink(DIR) == 0, "remove %s", DIR);
    printf("t_link: links and rename work in %s\n", mode == MODE_SMODE ? "Smode" : "Umode");
    pass();
}
