// The system calls: the one list that everything else about them is made
// from. The includer defines SYSCALL(nr, name, stub, params) first, then
// includes this file (there is no include guard on purpose):
//  - uapi/sysnum.h:     the numbers, SYS_name = nr, and NSYSCALL;
//  - kernel/syscall.h:  the handlers' prototypes, int sys_name params, so the
//                       compiler checks every handler's definition against
//                       its line here (kernel/syscall.c's table names them);
//  - tools/mksyscalls.py reads it for the assembly side: the numbers for
//    NASM and libsys's stubs (build/sysstubs.inc: the stub named `stub`,
//    with as many arguments as `params` has).
// A handler takes at most five 32-bit arguments, which arrive in EBX, ECX,
// EDX, ESI, EDI in that order; user pointers are uint32_t (checked by
// copyin/copyout). Numbers run from 1 with no gap and are never reused:
// append a new call at the end.
SYSCALL(1, exit, _exit, (int status))
SYSCALL(2, fork, fork, (void))
SYSCALL(3, exec, exec, (uint32_t upath, uint32_t uargv))
SYSCALL(4, wait, wait, (uint32_t ustatus))
SYSCALL(5, getpid, getpid, (void))
SYSCALL(6, getppid, getppid, (void))
SYSCALL(7, kill, kill, (int pid))
SYSCALL(8, sleep, msleep, (uint32_t ms))
SYSCALL(9, uptime, uptime, (void))
SYSCALL(10, yield, yield, (void))
SYSCALL(11, read, read, (int fd, uint32_t ubuf, uint32_t n))
SYSCALL(12, write, write, (int fd, uint32_t ubuf, uint32_t n))
SYSCALL(13, open, open, (uint32_t upath, int flags))
SYSCALL(14, close, close, (int fd))
SYSCALL(15, lseek, lseek, (int fd, int offset, int whence))
SYSCALL(16, stat, stat, (uint32_t upath, uint32_t ust))
SYSCALL(17, fstat, fstat, (int fd, uint32_t ust))
SYSCALL(18, getdents, getdents, (int fd, uint32_t ubuf, uint32_t len))
SYSCALL(19, mkdir, mkdir, (uint32_t upath))
SYSCALL(20, unlink, unlink, (uint32_t upath))
SYSCALL(21, sbrk, sbrk, (int incr))
SYSCALL(22, dup, dup, (int fd))
SYSCALL(23, pipe, pipe, (uint32_t ufds))
SYSCALL(24, chdir, chdir, (uint32_t upath))
SYSCALL(25, procinfo, procinfo, (uint32_t urows, int max))
SYSCALL(26, switch_supervisor, switch_supervisor, (int pid))
SYSCALL(27, switch_user, switch_user, (int pid))
SYSCALL(28, modeinfo, modeinfo, (int pid, uint32_t uinfo))
SYSCALL(29, nopromote, nopromote, (void))
SYSCALL(30, poweroff, poweroff, (int status))
SYSCALL(31, vmstat, vmstat, (uint32_t uvm))
SYSCALL(32, dup2, dup2, (int oldfd, int newfd))
SYSCALL(33, link, link, (uint32_t uold, uint32_t unew))
SYSCALL(34, rename, rename, (uint32_t uold, uint32_t unew))
SYSCALL(35, poll, poll, (uint32_t ufds, int nfds, int timeout))
SYSCALL(36, tracectl, tracectl, (int op, int arg, uint32_t ubuf, int n))
SYSCALL(37, sysinfo, sysinfo, (uint32_t uinfo))
SYSCALL(38, socket, socket, (int domain, int type, int protocol))
SYSCALL(39, bind, bind, (int fd, uint32_t uaddr, int addrlen))
SYSCALL(40, listen, listen, (int fd, int backlog))
SYSCALL(41, accept, accept, (int fd, uint32_t uaddr, uint32_t uaddrlen))
SYSCALL(42, connect, connect, (int fd, uint32_t uaddr, int addrlen))
SYSCALL(43, shutdown, shutdown, (int fd, int how))
SYSCALL(44, setsockopt, setsockopt, (int fd, int level, int name, uint32_t uval, int len))
SYSCALL(45, sendto, sendto, (int fd, uint32_t ubuf, uint32_t n, uint32_t uaddr, int addrlen))
SYSCALL(46, recvfrom, recvfrom, (int fd, uint32_t ubuf, uint32_t n, uint32_t uaddr, uint32_t uaddrlen))
SYSCALL(47, getsockname, getsockname, (int fd, uint32_t uaddr, uint32_t uaddrlen))
SYSCALL(48, netstat, netstat, (uint32_t ustat))
