// t_files: the file system through its system calls: create, write, read,
// lseek, fstat, stat, unlink, O_APPEND, O_TRUNC, mkdir, getdents, nested
// directories, chdir with relative paths, the error cases, and the paper's
// ls directories /lsdata/5 and /lsdata/408.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_files"
#include "testlib.h"
#define NOFILE_MAX_TRY 512 // more than any per-process limit the kernel may set (NOFILE)

static unsigned char
pat(unsigned int i)
{
    return (unsigned char)(i * 7 + (i >> 8) * 13 + 1);
}

static char big[40000];
static char rbuf[40000];

// Count the entries of directory path with getdents and a buffer of
// per_call entries; optionally collect names (up to max) and inodes.
static int
list_dir(const char *path, int per_call, char (*names)[NAME_MAX + 1], unsigned int *inos,
         int max, int *calls)
{
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open dir %s: %d", path, fd);
    struct dirent ents[8];
    CHECK(per_call >= 1 && per_call <= 8, "bad per_call");
    int n = 0, ncalls = 0;
    for (;;) {
        int r = getdents(fd, ents, per_call * sizeof(struct dirent));
        ncalls++;
        CHECK(r >= 0, "getdents %s: %d", path, r);
        CHECK(r % sizeof(struct dirent) == 0, "getdents returned %d: not whole records", r);
        CHECK(r <= per_call * (int)sizeof(struct dirent), "getdents overfilled: %d", r);
        if (r == 0)
            break;
        for (int i = 0; i < r / (int)sizeof(struct dirent); i++) {
            CHECK(ents[i].name[0] != 0, "empty name in %s", path);
            CHECK(strnlen(ents[i].name, NAME_MAX + 1) <= NAME_MAX, "unterminated name");
            if (n < max) {
                if (names)
                    strcpy(names[n], ents[i].name);
                if (inos)
                    inos[n] = ents[i].ino;
            }
            n++;
        }
        CHECK(ncalls < 10000, "getdents never ends on %s", path);
    }
    close(fd);
    if (calls)
        *calls = ncalls;
    return n;
}

static int
has_name(char (*names)[NAME_MAX + 1], int n, const char *name)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            c++;
    return c;
}

static void
check_lsdata(int count)
{
    static char names[500][NAME_MAX + 1];
    static unsigned int inos[500];
    static char seen[500];
    char dir[32];
    snprintf(dir, sizeof(dir), "/lsdata/%d", count);
    int calls = 0;
    int n = list_dir(dir, 3, names, inos, 500, &calls);
    CHECK(n == count, "%s has %d entries, expected %d", dir, n, count);
    CHECK(calls >= count / 3 + 1, "%s listed in only %d getdents calls", dir, calls);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && st.type == T_DIR, "stat %s", dir);
    CHECK(st.size == (unsigned int)count * sizeof(struct dirent), "%s size %u, expected %u", dir,
          st.size, (unsigned int)(count * sizeof(struct dirent)));
    memset(seen, 0, sizeof(seen));
    for (int i = 0; i < n; i++) {
        // names are file000 .. file(count-1)
        CHECK(strncmp(names[i], "file", 4) == 0 && strlen(names[i]) == 7, "odd name %s in %s",
              names[i], dir);
        int k = atoi(names[i] + 4);
        CHECK(k >= 0 && k < count, "name %s out of range in %s", names[i], dir);
        CHECK(!seen[k], "%s listed twice in %s", names[i], dir);
        seen[k] = 1;
        for (int j = 0; j < i; j++)
            CHECK(inos[j] != inos[i], "%s and %s share inode %u", names[j], names[i], inos[i]);
        char path[64];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        CHECK(stat(path, &st) == 0, "stat %s", path);
        CHECK(st.type == T_FILE, "%s is not a file", path);
        CHECK(st.size > 0, "%s is empty", path);
        CHECK(st.ino == inos[i], "%s: getdents ino %u, stat ino %u", path, inos[i], st.ino);
        CHECK(st.nlink == 1, "%s: nlink %u", path, st.nlink);
    }
    // the first line of one file
    char path[64], want[64], got[64];
    int k = count / 2;
    snprintf(path, sizeof(path), "%s/file%03d", dir, k);
    snprintf(want, sizeof(want), "file %d of %d\n", k, count);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s: %d", path, fd);
    int r = read(fd, got, strlen(want));
    CHECK(r == (int)strlen(want) && memcmp(got, want, r) == 0, "%s does not start with %s", path,
          want);
    close(fd);
}

int
main(void)
{
    struct stat st, st2;
    int fd, r;

    for (unsigned int i = 0; i < sizeof(big); i++)
        big[i] = (char)pat(i);

    CHECK(mkdir("/tf") == 0, "mkdir /tf");
    CHECK(stat("/tf", &st) == 0 && st.type == T_DIR, "stat /tf");
    CHECK(st.size == 0, "new directory has size %u", st.size);
    CHECK(mkdir("/tf") == -EEXIST, "mkdir of an existing dir did not give -EEXIST");

    // ---- create, write, read back, lseek, fstat ----
    fd = open("/tf/a", O_CREAT | O_RDWR);
    CHECK(fd >= 0, "create /tf/a: %d", fd);
    CHECK(fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 0, "fresh file: size %u",
          st.size);
    r = write(fd, big, 10000);
    CHECK(r == 10000, "write 10000: %d", r);
    CHECK(fstat(fd, &st) == 0 && st.size == 10000, "size after write: %u", st.size);
    CHECK(stat("/tf/a", &st2) == 0 && st2.ino == st.ino && st2.size == 10000,
          "stat disagrees with fstat");
    CHECK(st.nlink == 1, "nlink %u", st.nlink);
    CHECK(read(fd, rbuf, 10) == 0, "read at end of file gave data");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek to 0");
    memset(rbuf, 0, sizeof(rbuf));
    r = read(fd, rbuf, sizeof(rbuf));
    CHECK(r == 10000, "read back: %d", r);
    CHECK(memcmp(rbuf, big, 10000) == 0, "data read back differs");
    CHECK(lseek(fd, 5000, SEEK_SET) == 5000, "lseek 5000");
    r = read(fd, rbuf, 100);
    CHECK(r == 100 && memcmp(rbuf, big + 5000, 100) == 0, "read at 5000");
    CHECK(lseek(fd, 0, SEEK_CUR) == 5100, "SEEK_CUR 0 != 5100");
    CHECK(lseek(fd, -100, SEEK_CUR) == 5000, "SEEK_CUR -100");
    CHECK(lseek(fd, -100, SEEK_END) == 9900, "SEEK_END -100");
    r = read(fd, rbuf, 500);
    CHECK(r == 100 && memcmp(rbuf, big + 9900, 100) == 0, "read past end: %d", r);
    CHECK(lseek(fd, -1, SEEK_SET) == -EINVAL, "negative lseek did not give -EINVAL");
    CHECK(lseek(fd, -20000, SEEK_END) == -EINVAL, "lseek before start did not give -EINVAL");
    CHECK(lseek(fd, 0, 7) == -EINVAL, "bad whence did not give -EINVAL");
    CHECK(lseek(fd, 0, SEEK_CUR) == 10000, "failed lseek moved the offset");
    // overwrite in the middle
    CHECK(lseek(fd, 4094, SEEK_SET) == 4094, "lseek 4094");
    CHECK(write(fd, "XYZW", 4) == 4, "overwrite across a page boundary");
    CHECK(fstat(fd, &st) == 0 && st.size == 10000, "overwrite changed size to %u", st.size);
    CHECK(lseek(fd, 4090, SEEK_SET) == 4090, "lseek 4090");
    CHECK(read(fd, rbuf, 12) == 12, "read around overwrite");
    CHECK(memcmp(rbuf, big + 4090, 4) == 0 && memcmp(rbuf + 4, "XYZW", 4) == 0 &&
              memcmp(rbuf + 8, big + 4098, 4) == 0,
          "overwrite in the middle went wrong");
    // a hole: seek past the end and write
    CHECK(lseek(fd, 20000, SEEK_SET) == 20000, "lseek past end");
    CHECK(write(fd, "Q", 1) == 1, "write after hole");
    CHECK(fstat(fd, &st) == 0 && st.size == 20001, "size after hole write: %u", st.size);
    CHECK(lseek(fd, 10000, SEEK_SET) == 10000, "lseek 10000");
    r = read(fd, rbuf, 20000);
    CHECK(r == 10001, "read over hole: %d", r);
    for (int i = 0; i < 10000; i++)
        CHECK(rbuf[i] == 0, "hole byte %d is %d, not 0", 10000 + i, rbuf[i]);
    CHECK(rbuf[10000] == 'Q', "byte after the hole");
    CHECK(close(fd) == 0, "close");
    CHECK(close(fd) == -EBADF, "double close did not give -EBADF");

    // ---- a big file ----
    fd = open("/tf/big", O_CREAT | O_WRONLY);
    CHECK(fd >= 0, "create big: %d", fd);
    for (int k = 0; k < 6; k++)
        CHECK(write(fd, big, sizeof(big)) == (int)sizeof(big), "write big chunk %d", k);
    close(fd);
    CHECK(stat("/tf/big", &st) == 0 && st.size == 6 * sizeof(big), "big size %u", st.size);
    fd = open("/tf/big", O_RDONLY);
    CHECK(fd >= 0, "open big");
    for (int k = 0; k < 6; k++) {
        memset(rbuf, 0, sizeof(rbuf));
        CHECK(read(fd, rbuf, sizeof(rbuf)) == (int)sizeof(rbuf), "read big chunk %d", k);
        CHECK(memcmp(rbuf, big, sizeof(big)) == 0, "big chunk %d differs", k);
    }
    CHECK(read(fd, rbuf, 1) == 0, "big file too long");
    close(fd);

    // ---- access modes ----
    fd = open("/tf/a", O_RDONLY);
    CHECK(fd >= 0, "open read-only");
    CHECK(write(fd, "x", 1) == -EBADF, "write to a read-only fd did not give -EBADF");
    close(fd);
    fd = open("/tf/a", O_WRONLY);
    CHECK(fd >= 0, "open write-only");
    CHECK(read(fd, rbuf, 1) == -EBADF, "read from a write-only fd did not give -EBADF");
    close(fd);
    CHECK(open("/tf/a", O_WRONLY | O_RDWR) == -EINVAL, "O_WRONLY|O_RDWR did not give -EINVAL");

    // ---- O_CREAT on an existing file keeps it; O_TRUNC empties it ----
    fd = open("/tf/a", O_CREAT | O_RDWR);
    CHECK(fd >= 0, "O_CREAT on existing");
    CHECK(fstat(fd, &st) == 0 && st.size == 20001, "O_CREAT truncated: size %u", st.size);
    close(fd);
    fd = open("/tf/a", O_WRONLY | O_TRUNC);
    CHECK(fd >= 0, "O_TRUNC open");
    CHECK(fstat(fd, &st) == 0 && st.size == 0, "O_TRUNC left size %u", st.size);
    CHECK(write(fd, "fresh", 5) == 5, "write after truncate");
    close(fd);
    fd = open("/tf/a", O_RDONLY);
    r = read(fd, rbuf, 100);
    CHECK(r == 5 && memcmp(rbuf, "fresh", 5) == 0, "content after truncate: %d", r);
    close(fd);

    // ---- O_APPEND ----
    fd = open("/tf/log", O_CREAT | O_WRONLY | O_APPEND);
    CHECK(fd >= 0, "open append");
    CHECK(write(fd, "one,", 4) == 4, "append 1");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek in append file");
    CHECK(write(fd, "two,", 4) == 4, "append 2");
    int fd2 = open("/tf/log", O_WRONLY); // a plain writer at offset 0
    CHECK(fd2 >= 0, "second open");
    CHECK(write(fd2, "ONE", 3) == 3, "plain write");
    close(fd2);
    CHECK(write(fd, "three", 5) == 5, "append 3");
    close(fd);
    fd = open("/tf/log", O_RDONLY);
    r = read(fd, rbuf, 100);
    CHECK(r == 13 && memcmp(rbuf, "ONE,two,three", 13) == 0, "append result %d \"%.*s\"", r, r,
          rbuf);
    close(fd);

    // ---- shared offsets: dup and fork share one open file ----
    fd = open("/tf/big", O_RDONLY);
    fd2 = dup(fd);
    CHECK(fd2 >= 0, "dup");
    CHECK(read(fd, rbuf, 100) == 100, "read via fd");
    CHECK(lseek(fd2, 0, SEEK_CUR) == 100, "dup does not share the offset");
    int pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        char b[50];
        exit(read(fd2, b, 50) == 50 && memcmp(b, big + 100, 50) == 0 ? 0 : 1);
    }
    int wst;
    CHECK(wait(&wst) == pid && wst == 0, "child read via the inherited fd");
    CHECK(lseek(fd, 0, SEEK_CUR) == 150, "fork does not share the offset");
    close(fd);
    close(fd2);

    // ---- missing files and bad types ----
    CHECK(open("/tf/missing", O_RDONLY) == -ENOENT, "open of a missing file: not -ENOENT");
    CHECK(open("/nodir/x", O_RDONLY) == -ENOENT, "open in a missing dir: not -ENOENT");
    CHECK(open("/nodir/x", O_CREAT | O_RDWR) == -ENOENT, "create in a missing dir: not -ENOENT");
    CHECK(stat("/tf/missing", &st) == -ENOENT, "stat of a missing file: not -ENOENT");
    CHECK(unlink("/tf/missing") == -ENOENT, "unlink of a missing file: not -ENOENT");
    CHECK(open("/tf/a/x", O_RDONLY) < 0, "a file used as a directory");
    CHECK(open("/tf", O_WRONLY) == -EISDIR, "open dir for writing: not -EISDIR");
    fd = open("/tf", O_RDONLY);
    CHECK(fd >= 0, "open dir read-only");
    CHECK(read(fd, rbuf, 10) == -EISDIR, "read on a directory: not -EISDIR");
    struct dirent one;
    CHECK(getdents(fd, &one, sizeof(one) - 1) == -EINVAL,
          "getdents with a buffer too small for one entry: not -EINVAL");
    close(fd);
    fd = open("/tf/a", O_RDONLY);
    CHECK(getdents(fd, &one, sizeof(one)) == -ENOTDIR, "getdents on a file: not -ENOTDIR");
    close(fd);
    CHECK(getdents(55, &one, sizeof(one)) == -EBADF, "getdents on a bad fd: not -EBADF");
    CHECK(fstat(55, &st) == -EBADF, "fstat on a bad fd: not -EBADF");
    CHECK(read(-1, rbuf, 1) == -EBADF, "read(-1): not -EBADF");
    CHECK(write(16, "x", 1) == -EBADF, "write(16): not -EBADF");
    CHECK(mkdir("/tf/a") == -EEXIST, "mkdir over a file: not -EEXIST");
    CHECK(mkdir("/nodir/sub") == -ENOENT, "mkdir in a missing dir: not -ENOENT");

    // ---- nested directories, getdents, chdir, relative paths ----
    CHECK(mkdir("/tf/d1") == 0, "mkdir d1");
    CHECK(mkdir("/tf/d1/d2") == 0, "mkdir d2");
    CHECK(mkdir("/tf/d1/d2/d3") == 0, "mkdir d3");
    fd = open("/tf/d1/d2/d3/deep", O_CREAT | O_RDWR);
    CHECK(fd >= 0, "create deep file");
    CHECK(write(fd, "deep data", 9) == 9, "write deep");
    close(fd);
    CHECK(stat("/tf/d1/d2/d3", &st) == 0 && st.type == T_DIR, "stat d3");
    CHECK(stat("/tf//d1///d2/d3/", &st2) == 0 && st2.ino == st.ino, "extra slashes");
    CHECK(stat("/tf/d1/./d2/../d2/d3", &st2) == 0 && st2.ino == st.ino, ". and .. in a path");

    CHECK(chdir("/tf/d1") == 0, "chdir /tf/d1");
    fd = open("d2/d3/deep", O_RDONLY);
    CHECK(fd >= 0, "relative open: %d", fd);
    r = read(fd, rbuf, 100);
    CHECK(r == 9 && memcmp(rbuf, "deep data", 9) == 0, "relative read");
    close(fd);
    CHECK(chdir("d2") == 0, "relative chdir d2");
    CHECK(stat("d3/deep", &st) == 0 && st.size == 9, "stat relative to d2");
    CHECK(chdir("..") == 0, "chdir ..");
    CHECK(stat("d2/d3", &st) == 0 && st.type == T_DIR, "after chdir .., d2 is not here");
    fd = open("rel", O_CREAT | O_WRONLY); // created in /tf/d1
    CHECK(fd >= 0, "relative create");
    close(fd);
    CHECK(stat("/tf/d1/rel", &st) == 0, "relative create went elsewhere");
    CHECK(mkdir("d2/rd") == 0, "relative mkdir");
    CHECK(stat("/tf/d1/d2/rd", &st) == 0 && st.type == T_DIR, "relative mkdir went elsewhere");
    CHECK(chdir("/tf/a") == -ENOTDIR, "chdir to a file: not -ENOTDIR");
    CHECK(chdir("/tf/nothere") == -ENOENT, "chdir to a missing dir: not -ENOENT");
    CHECK(stat("d2", &st) == 0, "failed chdir changed the cwd");
    // a child inherits the working directory
    pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0)
        exit(stat("d2/d3/deep", &st) == 0 ? 0 : 1);
    CHECK(wait(&wst) == pid && wst == 0, "child did not inherit the cwd");
    // the child's chdir does not affect the parent
    pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0)
        exit(chdir("/") == 0 ? 0 : 1);
    CHECK(wait(&wst) == pid && wst == 0, "child chdir");
    CHECK(stat("d2", &st) == 0, "child's chdir changed the parent's cwd");
    CHECK(chdir("/") == 0, "chdir /");

    // listing of /tf
    static char names[16][NAME_MAX + 1];
    int n = list_dir("/tf", 1, names, 0, 16, 0);
    CHECK(n == 4, "/tf has %d entries, expected 4", n);
    CHECK(has_name(names, n, "a") == 1 && has_name(names, n, "big") == 1 &&
              has_name(names, n, "log") == 1 && has_name(names, n, "d1") == 1,
          "/tf listing is wrong");
    CHECK(stat("/tf", &st) == 0 && st.size == 4 * sizeof(struct dirent), "/tf size %u", st.size);
    n = list_dir("/tf/d1", 8, names, 0, 16, 0);
    CHECK(n == 2 && has_name(names, n, "d2") && has_name(names, n, "rel"), "/tf/d1 listing");

    // a long name (the longest allowed)
    char longname[80];
    strcpy(longname, "/tf/");
    for (int i = 0; i < NAME_MAX; i++)
        longname[4 + i] = 'a' + i % 26;
    longname[4 + NAME_MAX] = 0;
    fd = open(longname, O_CREAT | O_RDWR);
    CHECK(fd >= 0, "create a file with a %d-character name: %d", NAME_MAX, fd);
    close(fd);
    CHECK(stat(longname, &st) == 0, "stat long name");
    n = list_dir("/tf", 2, names, 0, 16, 0);
    CHECK(n == 5 && has_name(names, n, longname + 4) == 1, "long name not listed right");
    CHECK(unlink(longname) == 0, "unlink long name");
    longname[4 + NAME_MAX] = 'x'; // one character more
    longname[5 + NAME_MAX] = 0;
    CHECK(open(longname, O_CREAT | O_RDWR) == -ENAMETOOLONG, "a name of NAME_MAX+1 characters");
    CHECK(mkdir(longname) == -ENAMETOOLONG && stat(longname, &st) == -ENAMETOOLONG,
          "mkdir/stat of a name of NAME_MAX+1 characters");

    // ---- a trailing '/' names a directory ----
    fd = open("/tf/slash", O_CREAT | O_RDWR);
    CHECK(fd >= 0 && close(fd) == 0, "create /tf/slash");
    CHECK(open("/tf/slash/", O_RDONLY) == -ENOENT && stat("/tf/slash/", &st) == -ENOENT,
          "a file opened as \"name/\"");
    CHECK(unlink("/tf/slash/") == -ENOTDIR, "a file unlinked as \"name/\"");
    CHECK(open("/tf/new/", O_CREAT | O_RDWR) == -EISDIR && stat("/tf/new", &st) == -ENOENT,
          "O_CREAT of \"name/\" made a file");
    CHECK(unlink("/tf/slash") == 0 && mkdir("/tf/sd/") == 0 && stat("/tf/sd/", &st) == 0 &&
              st.type == T_DIR && unlink("/tf/sd/") == 0,
          "a directory named with a trailing '/'");

    // ---- a listing while entries are removed: the rest are all seen, once ----
    CHECK(mkdir("/tf/ls") == 0, "mkdir /tf/ls");
    for (char c = 'a'; c <= 'f'; c++) {
        char path[16];
        snprintf(path, sizeof path, "/tf/ls/%c", c);
        fd = open(path, O_CREAT | O_RDWR);
        CHECK(fd >= 0 && close(fd) == 0, "create %s", path);
    }
    fd = open("/tf/ls", O_RDONLY);
    struct dirent two[2];
    CHECK(getdents(fd, two, sizeof two) == (int)sizeof two, "first two entries");
    for (int i = 0; i < 2; i++) { // every byte after the name's NUL is zero
        int end = (int)strlen(two[i].name);
        for (int k = end; k <= NAME_MAX; k++)
            CHECK(two[i].name[k] == 0, "getdents: byte %d of %s's name is 0x%x", k,
                  two[i].name, (unsigned char)two[i].name[k]);
    }
    char seen[2][NAME_MAX + 1];
    strcpy(seen[0], two[0].name);
    strcpy(seen[1], two[1].name);
    char path[80];
    snprintf(path, sizeof path, "/tf/ls/%s", seen[0]);
    CHECK(unlink(path) == 0, "unlink %s during the listing", path);
    snprintf(path, sizeof path, "/tf/ls/%s", seen[1]);
    CHECK(unlink(path) == 0, "unlink %s during the listing", path);
    int rest = 0;
    while ((r = getdents(fd, &one, sizeof one)) > 0) {
        CHECK(strcmp(one.name, seen[0]) && strcmp(one.name, seen[1]), "%s seen twice", one.name);
        rest++;
    }
    CHECK(r == 0 && rest == 4, "after removing 2 listed entries, %d of the other 4 seen", rest);
    close(fd);
    for (char c = 'a'; c <= 'f'; c++) {
        snprintf(path, sizeof path, "/tf/ls/%c", c);
        unlink(path);
    }
    CHECK(unlink("/tf/ls") == 0, "unlink /tf/ls (empty again)");

    // ---- unlink and rm of non-empty directories ----
    CHECK(unlink("/tf/d1") == -ENOTEMPTY, "unlink of a non-empty dir: not -ENOTEMPTY");
    CHECK(unlink("/tf/d1/d2/d3") == -ENOTEMPTY, "unlink of non-empty d3: not -ENOTEMPTY");
    CHECK(stat("/tf/d1/d2/d3/deep", &st) == 0, "failed unlink removed something");
    // an unlinked file stays readable through an open descriptor
    fd = open("/tf/d1/d2/d3/deep", O_RDONLY);
    CHECK(fd >= 0, "open deep");
    CHECK(unlink("/tf/d1/d2/d3/deep") == 0, "unlink deep");
    CHECK(stat("/tf/d1/d2/d3/deep", &st) == -ENOENT, "unlinked file still there");
    CHECK(open("/tf/d1/d2/d3/deep", O_RDONLY) == -ENOENT, "unlinked file still opens");
    r = read(fd, rbuf, 100);
    CHECK(r == 9 && memcmp(rbuf, "deep data", 9) == 0, "open unlinked file unreadable: %d", r);
    CHECK(fstat(fd, &st) == 0 && st.nlink == 0, "unlinked file nlink %u", st.nlink);
    close(fd);
    CHECK(unlink("/tf/d1/d2/d3") == 0, "unlink empty d3");
    CHECK(unlink("/tf/d1/d2/rd") == 0, "unlink empty rd");
    CHECK(unlink("/tf/d1/d2") == 0, "unlink empty d2");
    CHECK(unlink("/tf/d1/rel") == 0, "unlink rel");
    CHECK(unlink("/tf/d1") == 0, "unlink d1");
    CHECK(stat("/tf/d1", &st) == -ENOENT, "d1 still there");
    // re-creating a removed name gives a new, empty file
    fd = open("/tf/d1", O_CREAT | O_RDWR);
    CHECK(fd >= 0, "re-create d1 as a file");
    CHECK(fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 0, "re-created d1");
    close(fd);
    CHECK(unlink("/tf/d1") == 0 && unlink("/tf/a") == 0 && unlink("/tf/big") == 0 &&
              unlink("/tf/log") == 0,
          "cleanup unlinks");
    n = list_dir("/tf", 4, names, 0, 16, 0);
    CHECK(n == 0, "/tf not empty after cleanup: %d entries", n);
    CHECK(unlink("/tf") == 0, "unlink /tf");
    CHECK(stat("/tf", &st) == -ENOENT, "/tf still there");

    // ---- too many open files ----
    // (with the table full, an open with O_TRUNC fails and leaves the file whole)
    fd = open("/trunc", O_CREAT | O_WRONLY);
    CHECK(fd >= 0 && write(fd, "keep me", 7) == 7 && close(fd) == 0, "make /trunc");
    int fds[NOFILE_MAX_TRY], nopen = 0;
    for (;;) {
        CHECK(nopen < NOFILE_MAX_TRY, "more than %d files open in one process", NOFILE_MAX_TRY);
        int f = open("/README", O_RDONLY);
        if (f < 0) {
            CHECK(f == -EMFILE, "open past the limit gave %d, expected -EMFILE", f);
            break;
        }
        fds[nopen++] = f;
    }
    CHECK(nopen >= 8, "only %d files could be opened", nopen);
    CHECK(open("/trunc", O_WRONLY | O_TRUNC) == -EMFILE, "O_TRUNC open with a full table");
    CHECK(stat("/trunc", &st) == 0 && st.size == 7, "a failed O_TRUNC open emptied the file");
    for (int i = 0; i < nopen; i++)
        CHECK(close(fds[i]) == 0, "close %d", fds[i]);
    fd = open("/README", O_RDONLY);
    CHECK(fd == 3, "after closing all, open gave fd %d, expected 3", fd);
    close(fd);
    printf("file operations ok (%d files open at most)\n", nopen);

    CHECK(unlink("/trunc") == 0, "unlink /trunc");

    // ---- lseek on a directory counts entries, as getdents does ----
    fd = open("/lsdata/408", O_RDONLY);
    CHECK(fd >= 0, "open /lsdata/408");
    CHECK(lseek(fd, 0, SEEK_END) == 408, "SEEK_END of a 408-entry directory: %d",
          lseek(fd, 0, SEEK_END));
    CHECK(lseek(fd, -8, SEEK_END) == 400, "SEEK_END -8 in a directory");
    struct dirent last[16];
    CHECK(getdents(fd, last, sizeof last) == 8 * (int)sizeof(struct dirent),
          "getdents after SEEK_END -8 did not give the last 8 entries");
    CHECK(lseek(fd, 0x7fffffff, SEEK_SET) == 0x7fffffff, "lseek to INT_MAX");
    CHECK(lseek(fd, 1, SEEK_CUR) == -EINVAL, "lseek past INT_MAX did not give -EINVAL");
    close(fd);

    // ---- the paper's ls directories ----
    check_lsdata(5);
    check_lsdata(408);
    int n5 = list_dir("/lsdata", 8, names, 0, 16, 0);
    CHECK(n5 == 2 && has_name(names, n5, "5") && has_name(names, n5, "408"),
          "/lsdata has %d entries", n5);
    printf("/lsdata/5 and /lsdata/408 ok\n");

    pass();
}
