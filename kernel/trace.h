// The kernel event trace (trace.c): a fixed ring of events, off by default.
// Every hook is TRACE(kind, ...): one test of trace_mask when it is off. The
// system-call receivers have not even that: while system calls are traced,
// the IDT gate 0x80, the SYSENTER_EIP MSR and the control areas name traced
// twins of the receivers instead.
#ifndef TRACE_H
#define TRACE_H

#include <stdint.h>
#include "uapi/trace.h"

struct proc;
struct trapframe;

extern uint32_t trace_mask;         // bit (1 << TR_x) set: kind TR_x is recorded

#define TRACE_ON(kind) (trace_mask & (1u << (kind)))
#define TRACE(kind, a, b, c, d)                                                \
    do {                                                                       \
        if (TRACE_ON(kind))                                                    \
            trace_event(kind, a, b, c, d);                                     \
    } while (0)

void trace_init(void);
void trace_set_mask(uint32_t mask);
void trace_event(int kind, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
void trace_event_as(int pid, int kind, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
void trace_exec(struct proc *p);
void trace_sys(int recv, uint32_t nr, int ring, uint32_t arg);
void trace_sysret(uint32_t result, int ring, int exit_path);
void trace_sysret_tf(struct trapframe *tf);
void trace_syscall(struct trapframe *tf);
int trace_dump(void);

#endif
