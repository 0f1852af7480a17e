// System calls about files, descriptors and exec. Paths and buffers are
// user addresses, copied with copyinstr/copyin/copyout (vm.c) only.
#include "kernel.h"
#include "file.h"
#include "proc.h"
#include "syscall.h"

// The open file behind descriptor fd of the caller, or 0.
struct file *
fd_file(int fd)
{
    if (fd < 0 || fd >= NOFILE)
        return 0;
    return curproc->ofile[fd];
}

// Install f in the lowest free descriptor; -EMFILE if none.
int
fd_alloc(struct file *f)
{
    for (int fd = 0; fd < NOFILE; fd++)
        if (!curproc->ofile[fd]) {
            curproc->ofile[fd] = f;
            return fd;
        }
    return -EMFILE;
}

// Copy a user path into buf (PATH_MAX bytes): its length or a negative errno
// (-EFAULT, -ENOENT for "", -ENAMETOOLONG for a path or one of its names too
// long).
static int
get_path(char *buf, uint32_t upath)
{
    int r = copyinstr(curproc, buf, upath, PATH_MAX);
    if (r <= 0)
        return r == 0 ? -ENOENT : r;
    for (int i = 0, len = 0; i < r; i++) { // the longest name in the path
        len = buf[i] == '/' ? 0 : len + 1;
        if (len > NAME_MAX)
            return -ENAMETOOLONG;
    }
    return r;
}

// read(fd, buf, n): up to n bytes into buf; the count, 0 at end of file, or
// -EBADF (bad fd, not readable), -EISDIR, -EFAULT, -EINTR. May sleep (console
// line, empty pipe).
int
sys_read(int fd, uint32_t ubuf, uint32_t n)
{
    struct file *f = fd_file(fd);
    return f ? file_read(f, ubuf, n) : -EBADF;
}

// write(fd, buf, n): the count written (short if an error comes after some
// bytes), or -EBADF, -EFAULT, -EPIPE (no reader), -EINTR, -ENOSPC, -ENOMEM. May
// sleep on a full pipe.
int
sys_write(int fd, uint32_t ubuf, uint32_t n)
{
    struct file *f = fd_file(fd);
    return f ? file_write(f, ubuf, n) : -EBADF;
}

// open(path, flags): an access mode plus O_CREAT (make a missing file),
// O_TRUNC (empty it, unless read-only), O_APPEND. Returns the lowest free fd, or
// -EFAULT, -ENAMETOOLONG, -ENOENT, -EINVAL (bad access mode), -EISDIR (a
// directory not read-only), -EEXIST, -EROFS (to write, truncate or create
// in a system tree), -ENOMEM, -ENFILE, -EMFILE.
int
sys_open(uint32_t upath, int flags)
{
    char path[PATH_MAX];
    int r = get_path(path, upath);
    if (r < 0)
        return r;
    int acc = flags & O_ACCMODE;
    if (acc == O_ACCMODE)
        return -EINVAL;
    struct inode *ip;
    if (flags & O_CREAT) {
        ip = fs_create(curproc->cwd, path, T_FILE, &r);
        if (!ip)
            return r;
    } else if (!(ip = fs_lookup(curproc->cwd, path))) {
        return -ENOENT;
    }
    if (inode_type(ip) == T_DIR && acc != O_RDONLY) {
        inode_put(ip);
        return -EISDIR;
    }
    if (inode_trusted(ip) && (acc != O_RDONLY || (flags & O_TRUNC))) {
        inode_put(ip);
        return -EROFS; // a trusted program stays the one the image shipped
    }
    struct file *f = file_alloc();
    if (!f) {
        inode_put(ip);
        return -ENFILE;
    }
    f->type = FD_INODE;
    f->ip = ip;
    f->readable = acc != O_WRONLY;
    f->writable = acc != O_RDONLY;
    f->append = (flags & O_APPEND) != 0;
    int fd = fd_alloc(f);
    if (fd < 0) {
        file_close(f);
        return fd; // -EMFILE, and the file untouched
    }
    if ((flags & O_TRUNC) && acc != O_RDONLY)
        fs_truncate(ip);
    return fd;
}

// close(fd): free the descriptor; the open file goes with its last one. 0 or
// -EBADF.
int
sys_close(int fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    curproc->ofile[fd] = 0;
    file_close(f);
    return 0;
}

// lseek(fd, offset, whence): set the offset of an open file or directory from
// SEEK_SET, SEEK_CUR or SEEK_END (a directory's offset counts slots); returns
// it, or -EBADF, -ESPIPE (pipe, console), -EINVAL (bad whence, a result below 0
// or above INT_MAX). Past the end is allowed.
int
sys_lseek(int fd, int offset, int whence)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (f->type != FD_INODE)
        return -ESPIPE;
    // a directory's offset counts entry slots (getdents), a file's bytes
    uint32_t end = inode_type(f->ip) == T_DIR ? fs_dir_end(f->ip) : inode_size(f->ip);
    int64_t base = whence == SEEK_SET   ? 0
                 : whence == SEEK_CUR ? (int64_t)f->off
                 : whence == SEEK_END ? (int64_t)end
                                      : -1;
    int64_t pos = base + offset; // 64 bits: no overflow
    if (base < 0 || pos < 0 || pos > 0x7fffffff)
        return -EINVAL;
    f->off = (uint32_t)pos;
    return (int)f->off;
}

// stat(path, st): the struct stat of path into st. 0, or -EFAULT,
// -ENAMETOOLONG, -ENOENT.
int
sys_stat(uint32_t upath, uint32_t ust)
{
    char path[PATH_MAX];
    int r = get_path(path, upath);
    if (r < 0)
        return r;
    struct inode *ip = fs_lookup(curproc->cwd, path);
    if (!ip)
        return -ENOENT;
    struct stat st;
    fs_stat(ip, &st);
    inode_put(ip);
    return copyout(curproc, ust, &st, sizeof(st));
}

// fstat(fd, st): the same for an open file; the console and pipes report
// type T_DEV and zeros. 0, -EBADF or -EFAULT.
int
sys_fstat(int fd, uint32_t ust)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    struct stat st = {.type = T_DEV};
    if (f->type == FD_INODE)
        fs_stat(f->ip, &st);
    return copyout(curproc, ust, &st, sizeof(st));
}

// Fill the user buffer with whole directory entries; returns bytes filled,
// 0 at the end of the directory.
int
sys_getdents(int fd, uint32_t ubuf, uint32_t len)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (f->type != FD_INODE || inode_type(f->ip) != T_DIR)
        return -ENOTDIR;
    uint32_t done = 0;
    struct dirent de; // fs_getdents zeroes it: no stale stack bytes reach the program
    while (done + sizeof(de) <= len) {
        uint32_t pos = f->off; // advance only once the entry reached the program
        if (fs_getdents(f->ip, &pos, &de, 1) <= 0)
            break;
        if (copyout(curproc, ubuf + done, &de, sizeof(de)) < 0)
            return done ? (int)done : -EFAULT;
        f->off = pos;
        done += sizeof(de);
    }
    if (done == 0 && len < sizeof(de))
        return -EINVAL;
    return (int)done;
}

// mkdir(path): a new empty directory. 0, or -EFAULT, -ENAMETOOLONG, -ENOENT
// (no such parent), -EEXIST, -EROFS, -ENOMEM.
int
sys_mkdir(uint32_t upath)
{
    char path[PATH_MAX];
    int r = get_path(path, upath);
    if (r < 0)
        return r;
    struct inode *ip = fs_create(curproc->cwd, path, T_DIR, &r);
    if (!ip)
        return r;
    inode_put(ip);
    return 0;
}

// unlink(path): remove a name of a file, or an empty directory (the inode
// goes with its last name, and an open file lives on until its last close).
// 0, or -EFAULT, -ENAMETOOLONG, -ENOENT, -EINVAL ("." or ".."), -ENOTEMPTY,
// -EROFS.
int
sys_unlink(uint32_t upath)
{
    char path[PATH_MAX];
    int r = get_path(path, upath);
    if (r < 0)
        return r;
    return fs_unlink(curproc->cwd, path);
}

// Copy the two user paths of link and rename; 0 or get_path's error.
static int
get_two_paths(char *a, uint32_t ua, char *b, uint32_t ub)
{
    int r = get_path(a, ua);
    if (r >= 0)
        r = get_path(b, ub);
    return r < 0 ? r : 0;
}

// link(old, new): new becomes a second name of the file old (fs_link). 0,
// or -EFAULT, -ENAMETOOLONG, -ENOENT, -EEXIST, -EPERM (a directory),
// -ENOTDIR, -EROFS, -ENOSPC, -ENOMEM.
int
sys_link(uint32_t uold, uint32_t unew)
{
    char old[PATH_MAX], new[PATH_MAX];
    int r = get_two_paths(old, uold, new, unew);
    return r < 0 ? r : fs_link(curproc->cwd, old, new);
}

// rename(old, new): atomically (fs_rename). 0, or -EFAULT, -ENAMETOOLONG,
// -ENOENT, -EINVAL, -EISDIR, -ENOTDIR, -ENOTEMPTY, -EROFS, -ENOSPC, -ENOMEM.
int
sys_rename(uint32_t uold, uint32_t unew)
{
    char old[PATH_MAX], new[PATH_MAX];
    int r = get_two_paths(old, uold, new, unew);
    return r < 0 ? r : fs_rename(curproc->cwd, old, new);
}

// chdir(path): make that directory the caller's working directory. 0, or
// -EFAULT, -ENAMETOOLONG, -ENOENT, -ENOTDIR.
int
sys_chdir(uint32_t upath)
{
    char path[PATH_MAX];
    int r = get_path(path, upath);
    if (r < 0)
        return r;
    struct inode *ip = fs_lookup(curproc->cwd, path);
    if (!ip)
        return -ENOENT;
    if (inode_type(ip) != T_DIR) {
        inode_put(ip);
        return -ENOTDIR;
    }
    inode_put(curproc->cwd);
    curproc->cwd = ip;
    return 0;
}

// dup(fd): the lowest free descriptor, sharing fd's open file (and offset).
// Returns it, -EBADF or -EMFILE.
int
sys_dup(int fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    int nfd = fd_alloc(f);
    if (nfd >= 0)
        file_dup(f);
    return nfd;
}

// dup2(oldfd, newfd): make newfd share oldfd's open file, closing what newfd
// held; equal fds change nothing. Returns newfd, or -EBADF (oldfd not open,
// newfd out of range).
int
sys_dup2(int oldfd, int newfd)
{
    struct file *f = fd_file(oldfd);
    if (!f || newfd < 0 || newfd >= NOFILE)
        return -EBADF;
    if (oldfd == newfd)
        return newfd;
    if (curproc->ofile[newfd])
        file_close(curproc->ofile[newfd]);
    curproc->ofile[newfd] = file_dup(f);
    return newfd;
}

// pipe(fds): a new pipe; fds[0] gets the read end, fds[1] the write end.
// 0, or -ENOMEM, -ENFILE, -EMFILE, -EFAULT, with nothing left open.
int
sys_pipe(uint32_t ufds)
{
    struct file *rf, *wf;
    int r = pipe_alloc(&rf, &wf);
    if (r < 0)
        return r;
    int fds[2] = {fd_alloc(rf), -1};
    if (fds[0] >= 0)
        fds[1] = fd_alloc(wf);
    if (fds[1] < 0 || copyout(curproc, ufds, fds, sizeof(fds)) < 0) {
        r = fds[1] < 0 ? -EMFILE : -EFAULT;
        if (fds[0] >= 0)
            curproc->ofile[fds[0]] = 0;
        if (fds[1] >= 0)
            curproc->ofile[fds[1]] = 0;
        file_close(rf);
        file_close(wf);
        return r;
    }
    return 0;
}

// poll(fds, nfds, timeout): wait until at least one of the nfds descriptors
// in the user array fds is ready for its events (POLLIN, POLLOUT); fill each
// revents. timeout -1 waits for as long as it takes, 0 only looks; this
// kernel's poll has no timed wait (use sleep between polls for a period).
// Returns the number of entries with revents set (0 only for timeout 0), or
// -EINVAL (nfds outside 0..POLL_MAX, other timeout), -EFAULT, -EINTR (killed,
// or a mode switch was requested, while nothing was ready: the caller
// returns at once so that the switch applies at this call's tail instead of
// waiting for traffic; a server just polls again). Sleeps on poll_chan,
// which every pipe change and every mode request wakes.
int
sys_poll(uint32_t ufds, int nfds, int timeout)
{
    struct pollfd fds[POLL_MAX];
    if (nfds < 0 || nfds > POLL_MAX || (timeout != 0 && timeout != -1))
        return -EINVAL;
    uint32_t bytes = (uint32_t)nfds * sizeof(fds[0]);
    if (copyin(curproc, fds, ufds, bytes) < 0)
        return -EFAULT;
    int ready;
    pushcli(); // no pipe changes between the look and the sleep
    for (;;) {
        ready = 0;
        for (int i = 0; i < nfds; i++) {
            if (fds[i].fd < 0) {
                fds[i].revents = 0; // a negative fd is skipped
            } else {
                struct file *f = fd_file(fds[i].fd);
                fds[i].revents = f ? (short)file_poll(f, fds[i].events) : POLLNVAL;
            }
            ready += fds[i].revents != 0;
        }
        if (ready || timeout == 0)
            break;
        if (curproc->killed || (curproc->tail_work & TW_MODE)) {
            popcli();
            return -EINTR;
        }
        sleep(&poll_chan);
    }
    popcli();
    if (copyout(curproc, ufds, fds, bytes) < 0)
        return -EFAULT;
    return ready;
}

#define MAXARG 32
#define ARGBYTES 4096 // all argument strings together

// exec(path, argv): argv is a user array of user strings, NULL-terminated.
// Needs the full frame (SC_FRAME): it sets the EIP and ESP the process
// returns with.
int
sys_exec(uint32_t upath, uint32_t uargv)
{
    char path[PATH_MAX];
    int r = get_path(path, upath);
    if (r < 0)
        return r;
    char *strings = kmalloc(ARGBYTES);
    if (!strings)
        return -ENOMEM;
    char *argv[MAXARG + 1];
    uint32_t used = 0;
    int argc = 0;
    for (;; argc++) {
        uint32_t uarg;
        if (argc > MAXARG) {
            r = -E2BIG;
            goto out;
        }
        if (copyin(curproc, &uarg, uargv + 4 * argc, 4) < 0) {
            r = -EFAULT;
            goto out;
        }
        if (!uarg)
            break;
        r = copyinstr(curproc, strings + used, uarg, ARGBYTES - used);
        if (r < 0) {
            r = r == -ENAMETOOLONG ? -E2BIG : r;
            goto out;
        }
        argv[argc] = strings + used;
        used += r + 1;
    }
    argv[argc] = 0;
    r = exec_into(curproc, path, argv);
out:
    kfree(strings);
    return r;
}
