// Structures and constants shared by the kernel and user programs.
#ifndef UAPI_ABI_H
#define UAPI_ABI_H

// ---- files ----
#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR 0x002
#define O_ACCMODE 0x003
#define O_CREAT 0x040
#define O_TRUNC 0x200
#define O_APPEND 0x400

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define T_FILE 1 // stat.type: regular file
#define T_DIR 2  // directory
#define T_DEV 3  // device (the console)

#define NAME_MAX 59  // longest file-name component
#define PATH_MAX 256 // longest path, with its NUL

struct stat {
    unsigned int ino;   // inode number
    unsigned int type;  // T_FILE, T_DIR, T_DEV
    unsigned int nlink; // number of directory entries naming it
    unsigned int size;  // bytes (for a directory: number of entries * sizeof(struct dirent))
};

// getdents(fd, buf, len) fills buf with whole struct dirent records.
struct dirent {
    unsigned int ino;
    char name[NAME_MAX + 1];
};

// poll(fds, nfds, timeout): wait until one of several descriptors is ready.
#define POLLIN 0x001   // events/revents: data to read (or end of file) without blocking
#define POLLOUT 0x004  // events/revents: room to write without blocking
#define POLLERR 0x008  // revents: a write would fail (-EPIPE: no reader left)
#define POLLHUP 0x010  // revents: the other end of the pipe is closed
#define POLLNVAL 0x020 // revents: fd is not open
#define POLL_MAX 128   // most entries one call may pass

struct pollfd {
    int fd;         // descriptor to watch; a negative one is skipped (revents 0)
    short events;   // POLLIN | POLLOUT wanted
    short revents;  // set by the kernel: the subset ready, plus POLLERR/HUP/NVAL
};

// ---- sockets (docs/net.md) ----
#define AF_INET 2         // the only address family: IPv4
#define SOCK_STREAM 1     // TCP
#define SOCK_DGRAM 2      // UDP
#define SOCK_NONBLOCK 0x800 // or'ed into socket()'s type: calls that would block give -EAGAIN
                            // (connect: -EINPROGRESS); accepted sockets inherit it
#define SOL_SOCKET 1      // setsockopt level
#define SO_REUSEADDR 2    // bind may take a port whose old connections are in TIME_WAIT
#define SHUT_RD 0         // shutdown(how)
#define SHUT_WR 1
#define SHUT_RDWR 2
#define INADDR_ANY 0u
#define INADDR_LOOPBACK 0x7f000001u // 127.0.0.1, in host byte order

// An IPv4 socket address; port and address in network byte order (big endian).
struct sockaddr_in {
    unsigned short sin_family; // AF_INET
    unsigned short sin_port;
    unsigned int sin_addr;
    char sin_zero[8];
};

// The network stack's counters and memory (netstat).
struct netstat {
    unsigned int pool_bufs;     // packet buffers in the pool
    unsigned int pool_free;     // ... of them free now
    unsigned int pool_bytes;    // bytes of kernel memory the pool holds
    unsigned int tcb_max;       // TCP connections the table holds (sockets included)
    unsigned int tcb_used;
    unsigned int tcb_bytes;     // bytes of kernel memory for all of them
    unsigned int rx_frames;     // frames received (card and loopback)
    unsigned int tx_frames;     // frames sent
    unsigned int drops_nobuf;   // frames dropped: pool empty
    unsigned int drops_bad;     // frames dropped: malformed, bad checksum, not for us
    unsigned int tcp_rst_sent;
    unsigned int tcp_retransmits;
    unsigned int tcp_dupacks;   // duplicate ACKs received
    unsigned int tcp_ooo;       // out-of-order segments dropped
    unsigned int tcp_conns;     // connections established since boot
    unsigned int icmp_echo;     // echo requests answered
    unsigned int arp_replies;   // ARP replies sent
};

// ---- processes ----
#define PROC_NAME_MAX 16

// Process states as procinfo reports them.
#define PS_UNUSED 0
#define PS_EMBRYO 1
#define PS_SLEEPING 2
#define PS_RUNNABLE 3
#define PS_RUNNING 4
#define PS_ZOMBIE 5

// Run modes (the paper's Umode / Smode process).
#define MODE_UMODE 0
#define MODE_SMODE 1
#define MODE_NONE (-1) // no request pending

// One row of the process list (procinfo), also used by modeinfo.
struct procinfo {
    int pid;
    int ppid;
    int state;              // PS_*
    int mode;               // MODE_UMODE or MODE_SMODE
    int pending;            // requested mode not yet applied, or MODE_NONE
    int may_promote;        // 1 if this process may call switch_supervisor
    int trusted;            // 1 if it runs a program from a trusted tree (may be Smode)
    int refused;            // last request refused: negative errno, else 0
    unsigned int size;      // bytes of user memory (program + heap + stack)
    unsigned int resident;  // resident user pages
    unsigned int swapped;   // user pages on swap
    unsigned int pinned;    // pinned user pages
    unsigned int faults;    // page faults taken
    unsigned int pageins;   // pages read back from swap
    unsigned int pageouts;  // pages written to swap
    unsigned int switches;  // mode switches applied
    unsigned int syscalls;  // system calls made since the process was created (exec keeps counting)
    unsigned int int80;     // ... of them by int 0x80 (from ring 3, or from ring 0)
    unsigned int walked;    // page-table entries its mode switches visited
    char name[PROC_NAME_MAX];
};

// System-wide memory figures (vmstat).
struct vmstat {
    unsigned int total_frames;  // physical frames managed by the allocator
    unsigned int free_frames;
    unsigned int pinned_frames; // frames with a pin count above zero
    unsigned int swap_slots;    // swap capacity in pages (0: no swap device)
    unsigned int swap_used;
    unsigned int pageins;       // since boot
    unsigned int pageouts;
    unsigned int heap_used;     // kernel heap bytes in use
    unsigned int committed;     // pages promised (docs/memory.md: the commit rule)
    unsigned int commit_limit;  // ... and what RAM plus swap can back
    unsigned int committed_resident; // of those, pages that must stay resident
    unsigned int resident_limit;
    unsigned int syscalls;      // system calls since boot, every receiver
    unsigned int shared_frames; // frames of shared libraries' text, held once for all
    unsigned long long tsc;      // the time-stamp counter now (under -icount: instructions)
    unsigned long long idle_tsc; // ... of it spent halted in the scheduler since boot:
                                 // busy time = tsc - idle_tsc (make bench's httpd figures)
};

// The system at a glance (sysinfo, the system call lab 2 adds).
struct sysinfo {
    unsigned int uptime;      // timer ticks since boot
    unsigned int hz;          // ticks per second
    unsigned int nproc;       // processes in use
    unsigned int nsmode;      // of which Smode processes
};

// ---- the coexistence control area (paper, section 4.1, method b) ----
// One page at MODEPAGE in every process, mapped by exec: user-readable,
// not user-writable. libsys reads the flag on every system call.
#define MODEPAGE 0xBFFFF000u
#define MODEPAGE_MAGIC 0x4D534D44u // "DMSM"

struct modepage {
    unsigned int magic;  // MODEPAGE_MAGIC
    unsigned int mode;   // the mode flag: MODE_UMODE or MODE_SMODE
    unsigned int fcall;  // address of the kernel's function receiver
    unsigned int floor;  // address of the kernel's sys_getpid, for bench's floor
    unsigned int pid;    // the owner's pid (for checks and teaching)
};

// Offsets of struct modepage for assembly (checked by _Static_assert in kernel/mode.c).
#define MP_MAGIC 0
#define MP_MODE 4
#define MP_FCALL 8
#define MP_FLOOR 12

#endif

// ---- wait status ----
// A normal exit gives the exit code (0..255). A process killed by the kernel
// gives WAIT_KILLED_BIT | vector for a fault (14: page fault, 13: GPF, 0: divide
// error, 6: invalid opcode, 8: double fault) or WAIT_KILLED_BIT | KILLED_BY_KILL
// when another process killed it with kill().
#define WAIT_KILLED_BIT 0x100
#define KILLED_BY_KILL 0xFF
#define WIFKILLED(s) (((s) & WAIT_KILLED_BIT) != 0)
#define WKILLVEC(s) ((s) & 0xFF)
#define WEXITSTATUS(s) ((s) & 0xFF)
