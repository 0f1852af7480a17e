// Physical memory: one struct frame per 4 KiB frame of RAM, a free list, the
// pin counts (a control area's pin for life, mode.c; swap.c passes over
// pinned frames), and the commit accounting.
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
#include "proc.h"

extern char kernel_end[]; // linker.ld

uint32_t phystop;            // end of the RAM we manage
uint32_t heap_base, heap_size; // physical region for kheap.c
struct frame *frames;        // frames[pa / PGSIZE]
uint32_t nframes;            // entries in frames[]
static uint32_t free_head;   // physical address of the first free frame, 0: none
static uint32_t nfree, ntotal, npinned;
static void set_resident_max(void);

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
    set_resident_max();
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
    set_resident_max();
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

// ---- commit accounting: no overcommit (docs/memory.md section 10) ----
// Every page the kernel promises is charged here when it is promised, not
// when a frame first backs it: each user page (present, lazy or on swap),
// each page table and page directory, each control area, each frame of file
// data. A promise that does not fit fails at once with -ENOMEM, so a page
// fault on promised memory always finds a frame or a swap slot.
//
// Two limits, in pages:
//   commit    all of it        <= usable + swap slots - SWAP_SLACK
//   resident  what must stay   <= usable - MIN_PAGEABLE
//             resident (page tables, directories, control areas, file
//             data, every page of an Smode process)
// usable = the frames the allocator manages, minus KERNEL_RESERVE (which
// frame_alloc_or_evict never hands out) and kpgdir. Then, whenever no frame
// is free, at least MIN_PAGEABLE frames hold pages that can be paged out,
// and the free slots plus those of these pages that have a slot of their own
// number at least SWAP_SLACK: page-out always finds a victim, and never only
// the few pages the faulting instruction needs (that would thrash forever).
// The last COMMIT_RESERVE pages of both are for init's line only (reserve_ok).
#define MIN_PAGEABLE 64
#define SWAP_SLACK 64
// The one rule for ncommit and nresident: only kernel code working for a
// process changes them (system calls, faults, exit, the double-fault task's
// stack growth, the boot before the first process), never an interrupt
// handler (timer_intr, kbd_intr and uart_intr do not reach them; the IDE is
// polled). Kernel code is never preempted, and no fault or double fault
// comes from inside an update, so no update interleaves with another: none
// takes pushcli (vm_commit, vm_uncommit, kernel.h's vm_commit_resident).
static uint32_t ncommit;
uint32_t nresident, nresident_max; // kernel.h: the switch charges them inline

// Frames the allocator can give to charged memory.
static uint32_t
usable_frames(void)
{
    return ntotal - KERNEL_RESERVE - 1; // the last frames, and kpgdir
}

// ntotal changed (frame_init, frame_release, while the kernel boots): the
// resident limit follows it.
static void
set_resident_max(void)
{
    nresident_max = usable_frames() - MIN_PAGEABLE;
}

// The limit on all committed pages.
uint32_t
commit_limit(void)
{
    uint32_t slots = swap_slots_total();
    return usable_frames() + (slots > SWAP_SLACK ? slots - SWAP_SLACK : 0);
}

// The limit on committed pages that must stay resident (nresident_max:
// kept in step with ntotal, which changes only while the kernel boots).
uint32_t
resident_limit(void)
{
    return nresident_max;
}

// Pages committed now, all and resident-only.
uint32_t
commit_used(void)
{
    return ncommit;
}

uint32_t
commit_resident(void)
{
    return nresident;
}

// May the caller dip into the last COMMIT_RESERVE pages? The kernel itself
// (no process, e.g. the first exec) and init's line: pid 1 and its direct
// children (the shell) for anything, their children for their first exec
// (the `kill` a shell forks; exec_into lends them RESERVE_ALL for it).
static int
reserve_ok(void)
{
    return !curproc || curproc->reserve == RESERVE_ALL;
}

// Promise `pages` more pages, of which `resident` (<= pages) must stay
// resident. (A switch to Smode makes already committed pages resident with
// kernel.h's vm_commit_resident instead; its reserve test agrees with
// reserve_ok here because the switch is applied at the tail of the switching
// process's own call, so the process it charges is curproc.) Returns 0, or
// -ENOMEM with nothing charged. No pushcli: the rule above ncommit.
int
vm_commit(uint32_t pages, uint32_t resident)
{
    uint32_t keep = reserve_ok() ? 0 : COMMIT_RESERVE;
    int fits = ncommit + pages + keep <= commit_limit() && // (pages < 2^20: no overflow)
               nresident + resident + keep <= resident_limit();
    if (!fits)
        return -ENOMEM;
    ncommit += pages;
    nresident += resident;
    return 0;
}

// Take back what vm_commit promised. Panics on more than was committed
// (unbalanced accounting is a kernel bug).
void
vm_uncommit(uint32_t pages, uint32_t resident)
{
    if (pages > ncommit || resident > nresident)
        panic("vm_uncommit: %u/%u pages, only %u/%u committed", pages, resident, ncommit,
              nresident);
    ncommit -= pages;
    nresident -= resident;
}

// A zeroed frame for memory that must stay resident (a page table, a page
// directory, a control area, file data), charged to the commit as such.
// Returns its physical address, or 0 when the commit refuses.
uint32_t
frame_alloc_committed(void)
{
    if (vm_commit(1, 1) < 0)
        return 0;
    uint32_t pa = frame_alloc_or_evict(); // cannot fail for charged memory
    if (!pa)
        panic("frame_alloc_committed: no frame for committed memory");
    return pa;
}

// Free a frame of frame_alloc_committed and its charge.
void
frame_free_committed(uint32_t pa)
{
    frame_free(pa);
    vm_uncommit(1, 1);
}
