// struct frame: what the kernel knows about one physical frame.
#ifndef FRAME_H
#define FRAME_H

#include <stdint.h>

#define FRAME_RESERVED 0x1 // kernel image, modules, heap, tables: never allocated
#define FRAME_USED 0x2     // handed out by frame_alloc
#define FRAME_USER 0x4     // maps a user page: owner and va say which (swap.c)
#define FRAME_SHARED 0x8   // a shared library's read-only page (dynlink.c): in many
                           // address spaces, never written, never paged out

#define MIN_HEAP (2u << 20)  // the kernel heap: phystop / 8, within these bounds
#define MAX_HEAP (8u << 20)
#define BOOT_MAPPED (64u << 20) // boot/entry.asm maps this much
#define KERNEL_RESERVE 16 // frame_alloc_or_evict never hands out the last frames:
                          // the kernel's own frame_alloc calls need them
#define MAX(a, b) ((a) > (b) ? (a) : (b))

struct vmspace;

struct frame {
    uint16_t pins;      // pin count: > 0 means never paged out
    uint16_t flags;     // FRAME_*
    struct vmspace *owner; // for a user page: the address space that maps it
    uint32_t va;        // ... and at which virtual address; for a free
                        // frame: the next free frame (the free list)
    uint32_t slot;      // for a user page: its copy on swap (0: none), swap.c
};

extern struct frame *frames;
extern uint32_t heap_base, heap_size;

#endif
