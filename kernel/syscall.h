// The one system-call table, shared by both receivers.
#ifndef SYSCALL_H
#define SYSCALL_H

#include <stdint.h>

// A handler takes up to five arguments (EBX, ECX, EDX, ESI, EDI) and returns
// the value for EAX (negative errno on error). Handlers with fewer arguments
// are declared with fewer parameters; cdecl lets the caller push all five.
typedef int (*syscall_fn)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);

// The handlers' prototypes, from the one list (uapi/syscalls.h): a handler
// defined with other parameters than its line there does not compile. The
// files that define them (sysproc.c, sysfile.c, mode.c, trace.c) include
// this header for that check.
#define SYSCALL(nr, name, stub, params) int sys_##name params;
#include "uapi/syscalls.h"
#undef SYSCALL

// Flags of a table entry.
#define SC_FRAME 0x1 // needs the full trap frame (fork, exec, ...): the function
                     // receiver takes its slow path, which builds one

struct syscall_entry {
    syscall_fn fn;
    uint32_t flags;
};

// Offsets for fcall.asm (checked in syscall.c).
#define SCE_FN 0
#define SCE_FLAGS 4
#define SCE_SIZE 8 // sizeof(struct syscall_entry): fcall.asm indexes with [syscalls + eax*8]

extern const struct syscall_entry syscalls[];
extern const char *const syscall_names[];

#endif
