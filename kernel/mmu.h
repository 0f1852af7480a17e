// The i386 memory-management unit as this kernel uses it: the memory map,
// segment selectors, page-table entries, descriptors and the TSS.
#ifndef MMU_H
#define MMU_H

#include <stdint.h>

// ---- the memory map (docs/memory.md has the picture) ----
#define KERNBASE 0xC0000000u  // kernel virtual base: physical memory is mapped here
#define KERNLINK 0xC0100000u  // where the kernel is linked (physical 1 MiB)
#define PHYSTOP_MAX 0x30000000u // at most 768 MiB of RAM is direct-mapped
#define MMIO_BASE (KERNBASE + PHYSTOP_MAX) // 0xF0000000..4 GiB: device memory that
                              // kvm_map_mmio maps (uncached), above the direct map
#define USERBASE 0x00400000u  // programs are linked here (page 0..4 MiB unmapped)
#define USTACKTOP 0xBFFFE000u // the user stack grows down from here;
                              // the page above it is a gap, then the control area
#define USTACK_PAGES 16       // the stack reservation: 64 KiB
#define USTACKBASE (USTACKTOP - USTACK_PAGES * PGSIZE)
                              // the page below USTACKBASE is the guard page (never mapped)
#define LIBBASE 0xBFC00000u   // shared libraries are mapped from here up (dynlink.c), in
                              // the stack's 4 MiB: its page table serves them too
#define LIBTOP (USTACKBASE - PGSIZE) // ... up to the stack's guard page at most
#define UHEAPMAX LIBBASE      // sbrk can grow the heap up to the libraries

#define PGSIZE 4096u
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))

#define V2P(a) ((uint32_t)(a) - KERNBASE)
#define P2V(a) ((void *)((uint32_t)(a) + KERNBASE))

// ---- page directory and page-table entries ----
#define PTE_P 0x001   // present
#define PTE_W 0x002   // writable
#define PTE_U 0x004   // user may access
#define PTE_PWT 0x008 // write-through
#define PTE_PCD 0x010 // cache disabled (with PWT: uncached, for device registers)
#define PTE_A 0x020   // accessed (set by the CPU)
#define PTE_D 0x040   // dirty (set by the CPU)
#define PTE_PS 0x080  // 4 MiB page (in a directory entry)
#define PTE_G 0x100   // global
#define PTE_SWAP 0x200 // (software, present bit clear) page is on swap: slot in bits 12-31
#define PTE_LAZY 0x400 // (software, present bit clear) reserved page, allocated on first touch
#define PTE_SHARED 0x800 // (software, present) a frame of a shared library's text: not this
                         // space's own (not counted, never freed or paged out with it)
#define PTE_ADDR(e) ((e) & ~0xFFFu)
#define PDX(va) (((uint32_t)(va) >> 22) & 0x3FF)
#define PTX(va) (((uint32_t)(va) >> 12) & 0x3FF)
#define NPDENTRIES 1024
#define NPTENTRIES 1024

// CR0 and CR4 bits
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u
#define CR4_PSE 0x00000010u

// EFLAGS bits
#define FL_TF 0x00000100u
#define FL_IF 0x00000200u
#define FL_DF 0x00000400u
#define FL_NT 0x00004000u
#define FL_AC 0x00040000u
#define FL_ARITH 0x000008D5u     // CF PF AF ZF SF OF
#define FL_RESERVED1 0x00000002u // bit 1 always reads as 1

// ---- segments ----
// GDT slots. The order KCODE, KDATA, UCODE, UDATA is what sysenter/sysexit expect.
#define GDT_KCODE 1
#define GDT_KDATA 2
#define GDT_UCODE 3
#define GDT_UDATA 4
#define GDT_TSS 5   // the task-state segment every process uses (esp0)
#define GDT_DFTSS 6 // the double-fault task's TSS
#define NSEGS 7

#define DPL_KERNEL 0
#define DPL_USER 3
#define SELECTOR(index, rpl) (((index) << 3) | (rpl))
#define SEL_KCODE SELECTOR(GDT_KCODE, DPL_KERNEL)   // 0x08
#define SEL_KDATA SELECTOR(GDT_KDATA, DPL_KERNEL)   // 0x10
#define SEL_UCODE SELECTOR(GDT_UCODE, DPL_USER)     // 0x1b
#define SEL_UDATA SELECTOR(GDT_UDATA, DPL_USER)     // 0x23
#define SEL_TSS SELECTOR(GDT_TSS, DPL_KERNEL)       // 0x28
#define SEL_DFTSS SELECTOR(GDT_DFTSS, DPL_KERNEL)   // 0x30
#define SEL_RPL(sel) ((sel) & 3)

struct segdesc {
    uint16_t limit_lo;
    uint16_t base_lo;
    uint8_t base_mid;
    uint8_t access; // present, DPL, type
    uint8_t flags_limit_hi;
    uint8_t base_hi;
} __attribute__((packed));

struct gatedesc {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t zero;
    uint8_t type_attr; // present, DPL, gate type
    uint16_t off_hi;
} __attribute__((packed));

#define GATE_INT32 0x0E  // interrupt gate: IF cleared on entry
#define GATE_TASK 0x05   // task gate (double fault)

// A descriptor as the CPU reads it (gdt.c: desc_decode, for test=gdt): Intel
// SDM vol. 3, "Segment Descriptors", "TSS Descriptor" and "IDT Descriptors".
// The fields that do not apply to the kind of descriptor are 0.
struct descinfo {
    uint8_t present; // P
    uint8_t dpl;     // the descriptor privilege level, 0..3
    uint8_t system;  // S clear: a TSS, an LDT or a gate (S set: code or data)
    uint8_t type;    // the 4-bit type field
    uint8_t gate;    // a gate (system, type 4-7 or 0xC-0xF): sel and offset
    uint8_t big;     // segments: D/B (32-bit code, 32-bit stack)
    uint32_t base;   // segments: the linear address of offset 0
    uint32_t limit;  // segments: the last valid offset, in bytes (G applied)
    uint16_t sel;    // gates: the selector of the target's segment (or TSS)
    uint32_t offset; // gates: the target's offset in that segment
};

// The 32-bit task-state segment (Intel SDM vol. 3, 8.2.1).
struct tss {
    uint32_t link;
    uint32_t esp0, ss0;
    uint32_t esp1, ss1;
    uint32_t esp2, ss2;
    uint32_t cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} __attribute__((packed));

#endif
