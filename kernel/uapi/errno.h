// Error codes. System calls return them negated (-EFAULT); libsys passes
// them through unchanged, so a program tests `r < 0` and prints strerror(-r).
#ifndef UAPI_ERRNO_H
#define UAPI_ERRNO_H

#define EPERM 1    // operation not permitted (e.g. promotion without the right)
#define ENOENT 2   // no such file or directory
#define ESRCH 3    // no such process
#define EINTR 4    // interrupted (the process was killed while sleeping)
#define EIO 5      // I/O error (swap device)
#define E2BIG 7    // argument list too long
#define ENOEXEC 8  // not an executable this kernel can load
#define EBADF 9    // bad file descriptor
#define ECHILD 10  // no child processes
#define EAGAIN 11  // resource temporarily unavailable (process table full)
#define ENOMEM 12  // out of memory
#define EFAULT 14  // bad address
#define EBUSY 16   // busy (directory not empty, ...)
#define EEXIST 17  // file exists
#define ENOTDIR 20 // not a directory
#define EISDIR 21  // is a directory
#define EINVAL 22  // invalid argument
#define EMFILE 24  // too many open files in this process
#define ENFILE 23  // file table full
#define ENOSPC 28  // no space left (swap)
#define ESPIPE 29  // illegal seek (pipe)
#define EROFS 30   // read-only file system (the boot image's /bin, /test, /lib)
#define EPIPE 32   // write to a pipe with no reader
#define ERANGE 34  // result out of range
#define ENAMETOOLONG 36 // path or name too long
#define ENOSYS 38  // no such system call
#define ENOTEMPTY 39 // directory not empty
#define ELOOP 40     // libraries that need each other in a loop (exec)
#define ENOTSOCK 88      // socket call on a descriptor that is not a socket
#define ENOPROTOOPT 92   // setsockopt: an option this kernel lacks
#define EPROTONOSUPPORT 93 // socket(): a protocol this kernel lacks
#define EOPNOTSUPP 95    // operation not supported on this socket (listen on UDP, ...)
#define EAFNOSUPPORT 97  // address family other than AF_INET
#define EADDRINUSE 98    // bind: the port is taken
#define EADDRNOTAVAIL 99 // bind: not one of this machine's addresses
#define ENETUNREACH 101  // no route: the card is absent
#define ECONNABORTED 103 // accept: the connection died before it was taken
#define ECONNRESET 104   // the peer reset the connection
#define ENOBUFS 105      // the network's buffer pool or connection table is full
#define EISCONN 106      // connect on a connected socket
#define ENOTCONN 107     // read/write/shutdown on a socket never connected
#define ETIMEDOUT 110    // connect or data: the peer stopped answering
#define ECONNREFUSED 111 // connect: the peer answered with a reset
#define EALREADY 114 // mode switch: the process already has that mode
#define EINPROGRESS 115  // non-blocking connect: under way; poll for POLLOUT

#endif
