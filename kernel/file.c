// Open files and pipes. A struct file is shared by descriptors that fork
// and dup copy; it is released when the last one closes.
#include "kernel.h"
#include "file.h"
#include "proc.h"

#define NFILE 400      // open files in the whole system
#define PIPE_SIZE 512  // bytes a pipe buffers

struct pipe {
    char data[PIPE_SIZE];
    uint32_t nread, nwrite; // totals; the buffer holds nwrite - nread bytes
    int readopen, writeopen;
};

static struct file ftable[NFILE];

// Processes in poll() sleep on this one channel; every change of a pipe's
// state (data, room, an end closed) wakes them to look again. One channel for
// all keeps a pipe free of a list of pollers; the price is a spurious wakeup
// of a poller whose descriptors did not change.
char poll_chan;

// Wake the sleepers on chan (one end of pp) and every poller.
static void
pipe_wakeup(void *chan)
{
    wakeup(chan);
    wakeup(&poll_chan);
}

// A free struct file with one reference, or 0 if the table is full.
struct file *
file_alloc(void)
{
    for (struct file *f = ftable; f < &ftable[NFILE]; f++)
        if (f->ref == 0) {
            *f = (struct file){.ref = 1};
            return f;
        }
    return 0;
}

// One more descriptor shares f (fork, dup, dup2): takes a reference, returns f.
struct file *
file_dup(struct file *f)
{
    ASSERT(f->ref > 0);
    f->ref++;
    return f;
}

// A new open file for the console, readable and writable.
struct file *
file_console(void)
{
    struct file *f = file_alloc();
    if (!f)
        panic("file_console: file table full");
    f->type = FD_CONSOLE;
    f->readable = f->writable = 1;
    return f;
}

// Drop one reference. The last one releases what f holds: its inode reference,
// or its end of the pipe (waking the other end, which then sees end of file or
// -EPIPE); the pipe itself goes with its second end. Never sleeps.
void
file_close(struct file *f)
{
    ASSERT(f->ref > 0);
    if (--f->ref > 0)
        return;
    if (f->type == FD_INODE) {
        inode_put(f->ip);
    } else if (f->type == FD_SOCKET) {
        sock_close(f->sock);
    } else if (f->type == FD_PIPE) {
        struct pipe *pp = f->pipe;
        pushcli();
        if (f->writable) {
            pp->writeopen = 0;
            pipe_wakeup(&pp->nread);
        } else {
            pp->readopen = 0;
            pipe_wakeup(&pp->nwrite);
        }
        int both_closed = !pp->readopen && !pp->writeopen;
        popcli();
        if (both_closed)
            kfree(pp);
    }
    f->type = FD_NONE;
}

// Two files for a new pipe: *rf reads, *wf writes. -ENFILE or -ENOMEM.
int
pipe_alloc(struct file **rf, struct file **wf)
{
    struct pipe *pp = kzalloc(sizeof(*pp));
    if (!pp)
        return -ENOMEM;
    *rf = file_alloc();
    *wf = *rf ? file_alloc() : 0;
    if (!*wf) {
        if (*rf)
            (*rf)->ref = 0;
        kfree(pp);
        return -ENFILE;
    }
    pp->readopen = pp->writeopen = 1;
    **rf = (struct file){.type = FD_PIPE, .ref = 1, .readable = 1, .pipe = pp};
    **wf = (struct file){.type = FD_PIPE, .ref = 1, .writable = 1, .pipe = pp};
    return 0;
}

// Copy up to n bytes into user buffer uva. Blocks while the pipe is empty
// and a writer remains; 0 means end of file.
static int
pipe_read(struct pipe *pp, uint32_t uva, uint32_t n)
{
    if (n == 0)
        return 0; // nothing asked: do not wait for data
    pushcli();
    while (pp->nread == pp->nwrite && pp->writeopen) {
        if (curproc->killed) {
            popcli();
            return -EINTR;
        }
        sleep(&pp->nread);
    }
    uint32_t got = 0;
    while (got < n && pp->nread != pp->nwrite) { // one contiguous piece of the ring at a time
        uint32_t off = pp->nread % PIPE_SIZE;
        uint32_t len = MIN(MIN(n - got, pp->nwrite - pp->nread), PIPE_SIZE - off);
        popcli(); // copyout may fault a page in (it never sleeps: the pipe stays as it is)
        int r = copyout(curproc, uva + got, pp->data + off, len);
        pushcli();
        if (r < 0) { // what reached the user before the fault stays unread
            pipe_wakeup(&pp->nwrite);
            popcli();
            return got ? (int)got : -EFAULT;
        }
        pp->nread += len;
        got += len;
    }
    pipe_wakeup(&pp->nwrite);
    popcli();
    return (int)got;
}

// Copy n bytes from user buffer uva into the pipe, blocking while it is
// full. -EPIPE if no reader is left. Every exit that wrote anything wakes the
// readers and pollers: a short count (a fault in a later piece, a kill) must
// not leave its bytes unseen.
static int
pipe_write(struct pipe *pp, uint32_t uva, uint32_t n)
{
    uint32_t done = 0;
    int err = 0;
    pushcli();
    while (done < n) {
        if (!pp->readopen || curproc->killed) {
            err = curproc->killed ? -EINTR : -EPIPE;
            break;
        }
        uint32_t room = PIPE_SIZE - (pp->nwrite - pp->nread);
        if (room == 0) {
            pipe_wakeup(&pp->nread);
            sleep(&pp->nwrite);
            continue;
        }
        uint32_t off = pp->nwrite % PIPE_SIZE;
        uint32_t len = MIN(MIN(room, n - done), PIPE_SIZE - off);
        popcli(); // copyin never sleeps: nobody else writes this piece meanwhile
        int r = copyin(curproc, pp->data + off, uva + done, len);
        pushcli();
        if (r < 0) {
            err = -EFAULT;
            break;
        }
        pp->nwrite += len; // the bytes become visible only now, all at once
        done += len;
    }
    if (done)
        pipe_wakeup(&pp->nread);
    popcli();
    return done ? (int)done : err;
}

#define CHUNK 512

// read(2) on any kind of file into user memory at uva.
int
file_read(struct file *f, uint32_t uva, uint32_t n)
{
    if (!f->readable)
        return -EBADF;
    if (f->type == FD_PIPE)
        return pipe_read(f->pipe, uva, n);
    if (f->type == FD_SOCKET)
        return sock_read(f->sock, uva, n);
    char buf[CHUNK];
    if (f->type == FD_CONSOLE) {
        int r = console_read(buf, MIN(n, CHUNK));
        if (r > 0 && copyout(curproc, uva, buf, r) < 0)
            return -EFAULT;
        return r;
    }
    if (inode_type(f->ip) == T_DIR)
        return -EISDIR;
    uint32_t total = 0;
    while (total < n) {
        int r = fs_read(f->ip, f->off, buf, MIN(n - total, CHUNK));
        if (r <= 0)
            break;
        if (copyout(curproc, uva + total, buf, r) < 0)
            return total ? (int)total : -EFAULT;
        f->off += r;
        total += r;
    }
    return (int)total;
}

// write(2) on any kind of file from user memory at uva.
int
file_write(struct file *f, uint32_t uva, uint32_t n)
{
    if (!f->writable)
        return -EBADF;
    if (f->type == FD_PIPE)
        return pipe_write(f->pipe, uva, n);
    if (f->type == FD_SOCKET)
        return sock_write(f->sock, uva, n);
    char buf[CHUNK];
    uint32_t total = 0;
    while (total < n) {
        uint32_t c = MIN(n - total, CHUNK);
        if (copyin(curproc, buf, uva + total, c) < 0)
            return total ? (int)total : -EFAULT;
        if (f->type == FD_CONSOLE) {
            console_write(buf, c);
        } else {
            if (f->append)
                f->off = inode_size(f->ip);
            int r = fs_write(f->ip, f->off, buf, c);
            if (r < 0)
                return total ? (int)total : r;
            f->off += r;
            if ((uint32_t)r < c) // out of frames part way: a short write
                return (int)(total + r);
        }
        total += c;
    }
    return (int)total;
}

// What poll sees on f for the wanted events (POLLIN, POLLOUT): the ready
// subset, plus POLLHUP when the other end of a pipe is gone and POLLERR when
// a write would fail. Files and the console are always ready (they never
// block for long), as on Unix. Call with interrupts off (pushcli), so that
// nothing changes between this test and the poller's sleep.
int
file_poll(struct file *f, int events)
{
    if (f->type == FD_SOCKET)
        return sock_poll(f->sock, events);
    if (f->type != FD_PIPE) {
        int ready = (f->readable ? POLLIN : 0) | (f->writable ? POLLOUT : 0);
        return events & ready;
    }
    struct pipe *pp = f->pipe;
    int r = 0;
    if (f->readable) {
        if (pp->nwrite != pp->nread || !pp->writeopen)
            r |= events & POLLIN; // data, or end of file: read does not block
        if (!pp->writeopen)
            r |= POLLHUP;
    } else {
        if (!pp->readopen)
            r |= POLLERR | POLLHUP;
        else if (pp->nwrite - pp->nread < PIPE_SIZE)
            r |= events & POLLOUT;
    }
    return r;
}
