// System-call numbers: the ABI shared by the kernel's table (kernel/syscall.c)
// and libsys's stubs, made from the one list in uapi/syscalls.h. (Assembly
// gets the same numbers from tools/mksyscalls.py, which reads that list.)
#ifndef UAPI_SYSNUM_H
#define UAPI_SYSNUM_H

enum sysnum {
#define SYSCALL(nr, name, stub, params) SYS_##name = nr,
#include "syscalls.h"
#undef SYSCALL
};

// One more than the highest number: the size of the kernel's table. The
// numbers run from 1 with no gap, so that is one more than the count
// (kernel/syscall.c checks both rules at compile time).
enum {
    NSYSCALL = 1
#define SYSCALL(nr, name, stub, params) +1
#include "syscalls.h"
#undef SYSCALL
};

#endif
