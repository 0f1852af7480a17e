// Physical memory: one struct frame per 4 KiB frame of RAM, a free list, and
// the pin counts that keep an Smode process's memory resident (mode.c, swap.c).
//
// Layout of physical memory after boot:
//   0 .. 1 MiB          BIOS, VGA (never allocated)
//   1 MiB ..            the kernel image, then the multiboot modules
//   first_free ..       the kernel heap (kheap.c), then the frame table
//   .. phystop          frames handed out by frame_alloc()
#include "kernel.h"
#include "mmu.h"
#include "multiboot.h"
#include "frame.h"

extern char kernel_end[]; // linker.ld

uint32_t phystop;            // end of the RAM we manage
uint32_t heap_base, heap_size; // physical region for kheap.c
struct frame *frames;        // frames[pa / PGSIZE]
uint32_t nframes;            // entries in frames[]
static uint32_t free_head;   // physical address of the first free frame, 0: none
static uint32_t nfree, ntotal, npinned;

// Find the end of usable RAM, reserve the kernel, the modules, the heap and
// the frame table, and put every other frame on the free list.
void
frame_init(struct multiboot_info *mbi)
{
    uint32_t top = 0;
    if (mbi->flags & MBI_MMAP) {
        for (uint32_t a = mbi->mmap_addr; a < mbi->mmap_addr + mbi->mmap_length;) {
            struct multiboot_mmap *m = P2V(a);
            if (m->type == 1 && m->addr < PHYSTOP_MAX) {
                uint64_t end = m->addr + m->len;
                if (end > PHYSTOP_MAX)
                    end = PHYSTOP_MAX;
                if (end > top)
                    top = (uint32_t)end;
            }
            a += m->size + 4;
        }
    } else if (mbi->flags & MBI_MEM) {
        top = 0x100000 + mbi->mem_upper * 1024;
    }
    if (top < 8 * 1024 * 1024)
        panic("frame_init: only %u KiB of RAM; at least 8 MiB needed", top / 1024);
    phystop = PGROUNDDOWN(top > PHYSTOP_MAX ? PHYSTOP_MAX : top);

    uint32_t first_free = V2P(kernel_end);
    if (mbi->flags & MBI_MODS) {
        struct multiboot_module *mod = P2V(mbi->mods_addr);
        for (uint32_t i = 0; i < mbi->mods_count; i++)
            if (mod[i].end > first_free)
                first_free = mod[i].end;
    }
    first_free = PGROUNDUP(first_free);

    heap_base = first_free;
    heap_size = PGROUNDUP(MIN(MAX_HEAP, MAX(MIN_HEAP, phystop / 8)));
    nframes = phystop / PGSIZE;
    frames = P2V(heap_base + heap_size);
    uint32_t table_end = PGROUNDUP(heap_base + heap_size + nframes * sizeof(struct frame));
    if (table_end + 64 * PGSIZE > phystop || table_end > BOOT_MAPPED)
        panic("frame_init: kernel, modules and tables (%u KiB) do not fit", table_end / 1024);
    memset(frames, 0, nframes * sizeof(struct frame));

    for (uint32_t pa = phystop - PGSIZE; pa >= table_end; pa -= PGSIZE) {
        frames[pa / PGSIZE].flags = 0;
        frames[pa / PGSIZE].va = free_head; // the link lives in the table: RAM
                                            // above 64 MiB is not mapped yet
        free_head = pa;
        nfree++;
    }
    ntotal = nfree;
    for (uint32_t pa = 0; pa < table_end; pa += PGSIZE)
        frames[pa / PGSIZE].flags = FRAME_RESERVED;
}

// Give the frames of [start, end) back to the allocator: boot-time memory
// the kernel no longer needs (the file-system image once fs_init copied it).
// Only whole frames that are reserved and lie above the kernel image.
void
frame_release(uint32_t start, uint32_t end)
{
    start = PGROUNDUP(MAX(start, V2P(kernel_end)));
    for (uint32_t pa = start; pa + PGSIZE <= end && pa < heap_base; pa += PGSIZE) {
        struct frame *f = &frames[pa / PGSIZE];
        if (f->flags != FRAME_RESERVED)
            continue;
        f->flags = FRAME_USED;
        frame_free(pa);
        ntotal++;
    }
}

// Allocate one zeroed frame. Returns its physical address, or 0 when none is
// free (callers then evict a page, swap.c, or fail with -ENOMEM).
uint32_t
frame_alloc(void)
{
    pushcli();
    uint32_t pa = free_head;
    if (pa) {
        struct frame *f = &frames[pa / PGSIZE];
        free_head = f->va;
        nfree--;
        ASSERT(f->flags == 0 && f->pins == 0);
        f->flags = FRAME_USED;
        f->owner = 0;
        f->va = 0;
        f->slot = 0;
    }
    popcli();
    if (pa)
        memset(P2V(pa), 0, PGSIZE);
    return pa;
}

// Return a frame to the free list. It must be allocated and unpinned.
void
frame_free(uint32_t pa)
{
    ASSERT(pa % PGSIZE == 0 && pa < phystop);
    struct frame *f = &frames[pa / PGSIZE];
    if (!(f->flags & FRAME_USED))
        panic("frame_free: frame 0x%08x is not allocated", pa);
    if (f->pins)
        panic("frame_free: frame 0x%08x is pinned (%u pins)", pa, f->pins);
    ASSERT(f->slot == 0 && !(f->flags & FRAME_USER));
    pushcli();
    f->flags = 0;
    f->owner = 0;
    f->va = free_head;
    free_head = pa;
    nfree++;
    popcli();
}

// Pin a frame: while its pin count is above zero it is never paged out.
void
frame_pin(uint32_t pa)
{
    struct frame *f = &frames[pa / PGSIZE];
    ASSERT(f->flags & FRAME_USED);
    if (f->pins++ == 0)
        npinned++;
}

// Drop one pin; with none left the frame may be paged out again. Panics if
// the frame has no pin (unbalanced pins are a kernel bug).
void
frame_unpin(uint32_t pa)
{
    struct frame *f = &frames[pa / PGSIZE];
    if (f->pins == 0)
        panic("frame_unpin: frame 0x%08x is not pinned", pa);
    if (--f->pins == 0)
        npinned--;
}

// The pin count of frame pa.
int
frame_pincount(uint32_t pa)
{
    return frames[pa / PGSIZE].pins;
}

// Frames on the free list now.
uint32_t
frames_free(void)
{
    return nfree;
}

// Frames the allocator manages, free or in use (boot memory counts once
// frame_release gives it back).
uint32_t
frames_total(void)
{
    return ntotal;
}

// Frames whose pin count is above zero.
uint32_t
frames_pinned(void)
{
    return npinned;
}
