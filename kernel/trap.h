// The one trap-frame layout. Every entry into the kernel (exception, IRQ,
// `int 0x80`, and the function receiver when it needs a frame) leaves exactly
// this on the process's kernel stack; one exit path (trapasm.asm: trapret) reads
// the saved CS to decide how to go back. Picture in docs/architecture.md.
//
//   high  +--------+ <- TSS.esp0 (top of the kernel stack) for an AP frame
//         |   ss   |  \ only in an AP frame: ring 3, or an Smode AP in ring 0
//         |   esp  |  / (a frame of interrupted kernel code stops at eflags)
//         | eflags |
//         |   cs   |  <- ring 3 (Umode) or ring 0 (Smode AP, or the kernel)
//         |   eip  |
//         |   err  |  error code (0 when the CPU pushes none)
//         | trapno |  vector
//         | ds..gs |  4 words
//         | eax .. |  pusha: eax ecx edx ebx (esp) ebp esi edi
//   low   +--------+ <- struct trapframe *tf
#ifndef TRAP_H
#define TRAP_H

#include <stdint.h>

struct trapframe {
    // pusha
    uint32_t edi, esi, ebp, oesp, ebx, edx, ecx, eax;
    // data segment registers
    uint32_t gs, fs, es, ds;
    uint32_t trapno, err;
    // pushed by the CPU (or by the stub for an Smode AP)
    uint32_t eip, cs, eflags;
    // AP frames only
    uint32_t esp, ss;
};

// Offsets for trapasm.asm and fcall.asm; kept in step by _Static_assert in trap.c.
#define TF_EDI 0
#define TF_EBP 8
#define TF_EAX 28
#define TF_GS 32
#define TF_TRAPNO 48
#define TF_ERR 52
#define TF_EIP 56
#define TF_CS 60
#define TF_EFLAGS 64
#define TF_ESP 68
#define TF_SS 72
#define TF_SIZE 76       // an AP frame
#define TF_KERNEL_SIZE 68 // a frame of interrupted kernel code (no esp/ss)
#define TF_ERR_FCALL 1    // err of a frame the function receiver built (int 0x80: 0)

// The saved slots of the function receiver (fcall.asm, which has the
// drawing) and of sysenter (sysenter.asm), just below fcall_stack, the
// bottom of the reserved frame slot: [fcall_stack - FCALL_ECX] and so on.
#define FCALL_ECX 4     // the caller's ECX (sysenter: the program's ESP)
#define FCALL_EDX 8     // the caller's EDX (sysenter: its return address)
#define FCALL_EFLAGS 12 // the program's EFLAGS (the slow path; sysenter always)

// The stack-pointer test: the one rule that tells an Smode AP from the
// kernel when both run in ring 0 (docs/dmsm.md, section 9). esp and eip are
// what the interrupted code had, before anything was pushed for the entry.
//  - An AP stack is one whose next push lands in user space: ESP at or
//    below AP_STACK_TOP. ESP == KERNBASE is a stack used to its very top
//    (its words lie below KERNBASE), not a kernel stack.
//  - Kernel code runs only at a kernel EIP on a kernel stack (above
//    KERNBASE). Ring-0 code at an EIP below KERNBASE is therefore AP code
//    whatever its ESP: an Smode AP that pointed ESP into kernel space (its
//    bug) is still the AP, and is killed (trapret, double_fault), never
//    taken for the kernel.
// alltraps (trapasm.asm) applies this test in assembly, trap() checks that
// both agree, and double_fault() applies it to the state in the TSS.
#define AP_STACK_TOP KERNBASE
#define RING0_IS_AP(eip, esp) ((esp) <= AP_STACK_TOP || (eip) < KERNBASE)

// Vectors
#define T_DIVIDE 0
#define T_DEBUG 1
#define T_NMI 2
#define T_BRKPT 3
#define T_OFLOW 4
#define T_BOUND 5
#define T_ILLOP 6
#define T_DEVICE 7
#define T_DBLFLT 8
#define T_TSS 10
#define T_SEGNP 11
#define T_STACK 12
#define T_GPFLT 13
#define T_PGFLT 14
#define T_FPERR 16
#define T_ALIGN 17
#define T_MCHK 18
#define T_SIMDERR 19
#define T_IRQ0 32        // PIC IRQs are remapped to 32..47
#define IRQ_TIMER 0
#define IRQ_KBD 1
#define IRQ_CASCADE 2    // the slave PIC's line on the master
#define IRQ_COM1 4
#define IRQ_IDE 14
#define T_SYSCALL 0x80   // the interrupt receiver
#define T_SYSCALL_TRACED 0x180 // not a vector: the trapno of a system call the trace
                              // records (vector_syscall_traced, fcall_entry_traced)

#endif
