// libsys: the system-call wrappers. Every wrapper is a mode-aware stub
// (libsys/syscall.asm): it reads the mode flag in the coexistence control area
// and enters the kernel by `int 0x80` (Umode) or by `call` to the function
// receiver (Smode). Errors come back as negative errno values (-EFAULT, ...);
// there is no global errno to consult.
#ifndef _UNISTD_H
#define _UNISTD_H

#include <stddef.h>
#include "../../kernel/uapi/abi.h"
#include "../../kernel/uapi/errno.h"
#include "../../kernel/uapi/sysnum.h"
#include "../../kernel/uapi/trace.h"

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

// ---- processes ----
void exit(int status) __attribute__((noreturn)); // ends the process (after flushing stdio)
void _exit(int status) __attribute__((noreturn)); // ends it at once
int fork(void);                                  // child: 0; parent: child's pid
int exec(const char *path, char *const argv[]);  // only returns on error
int wait(int *status);        // reaps one child: its pid; status gets exit code
int getpid(void);
int getppid(void);
int kill(int pid);            // the target exits; wait sees WAIT_KILLED_BIT | KILLED_BY_KILL
int msleep(unsigned int ms);  // sleeps at least ms milliseconds
unsigned int sleep(unsigned int seconds);
unsigned int uptime(void);    // milliseconds since boot
int yield(void);
void *sbrk(int increment);    // old break, or (void *)-ENOMEM: test with sbrk_failed()
int procinfo(struct procinfo *rows, int max); // fills up to max rows; returns count
int poweroff(int status);     // only init (pid 1) may; the machine exits with status
int vmstat(struct vmstat *out);
// The kernel event trace (uapi/trace.h): op TRACE_MASK, TRACE_READ, TRACE_DUMP, TRACE_STAT.
int tracectl(int op, int arg, void *buf, int n);
int sysinfo(struct sysinfo *out); // lab 2

// ---- files ----
int read(int fd, void *buf, size_t n);
int write(int fd, const void *buf, size_t n);
int open(const char *path, int flags);
int close(int fd);
int lseek(int fd, int offset, int whence);
int stat(const char *path, struct stat *st);
int fstat(int fd, struct stat *st);
int getdents(int fd, struct dirent *buf, size_t len); // bytes filled, 0 at end
int mkdir(const char *path);
int unlink(const char *path); // the inode goes with its last link and its last close
int link(const char *old, const char *new);   // a second name for a file (not a directory)
int rename(const char *old, const char *new); // atomic; replaces a file or an empty directory
int dup(int fd);
int dup2(int oldfd, int newfd);
int pipe(int fds[2]);
int poll(struct pollfd *fds, int nfds, int timeout); // timeout -1 (wait) or 0; ready count
int chdir(const char *path);

// ---- sockets (docs/net.md) ----
int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr_in *addr, int addrlen);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr_in *addr, int *addrlen); // addr may be 0
int connect(int fd, const struct sockaddr_in *addr, int addrlen);
int shutdown(int fd, int how);
int setsockopt(int fd, int level, int name, const void *val, int len);
int sendto(int fd, const void *buf, size_t n, const struct sockaddr_in *to, int addrlen); // no flags
int recvfrom(int fd, void *buf, size_t n, struct sockaddr_in *from, int *addrlen);     // no flags
int getsockname(int fd, struct sockaddr_in *addr, int *addrlen);
int netstat(struct netstat *out);

static inline unsigned short htons(unsigned short x) { return (unsigned short)(x << 8 | x >> 8); }
static inline unsigned short ntohs(unsigned short x) { return htons(x); }
static inline unsigned int htonl(unsigned int x) { return __builtin_bswap32(x); }
static inline unsigned int ntohl(unsigned int x) { return __builtin_bswap32(x); }

// ---- DMSM: the dynamic running mode switch ----
// Ask that process pid (0 = the caller) run as an Smode / Umode process.
// The request is applied by the target itself at the tail of the next system
// call it makes (the paper's method b); for pid 0, at the tail of this call.
// Returns 0 when registered, -EALREADY if pid already has (or has requested)
// that mode, -ESRCH for a bad pid, -EPERM if the caller may not promote.
int switch_supervisor(int pid);
int switch_user(int pid);
int modeinfo(int pid, struct procinfo *out); // mode, pending request, counters
int nopromote(void);  // drop the right to promote, for good (self and future children)

// The mode the calling process runs in now, read from the control area.
static inline int
current_mode(void)
{
    return (int)((volatile struct modepage *)MODEPAGE)->mode;
}

// Any call by number through the mode-aware path (for tests of bad numbers).
int syscall5(int nr, int a, int b, int c, int d, int e);

// ---- conventional stubs: always `int 0x80`, no flag test ----
// The paper's "FreeBSD" baseline, for bench only. Never use them in Smode:
// `int` from ring 0 works, but that is not the point of the measurement.
int conv_getpid(void);
int conv_read(int fd, void *buf, size_t n);
int conv_write(int fd, const void *buf, size_t n);
void *conv_sbrk(int increment);

// ---- bench only: sysenter/sysexit stubs (Umode, at most one argument) ----
int sysenter_getpid(void);
void *sysenter_sbrk(int increment);

static inline int
sbrk_failed(void *p)
{
    return (unsigned int)p >= (unsigned int)-4095;
}

#endif
