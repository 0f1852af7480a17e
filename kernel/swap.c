// Paging to the swap disk (ide.c): the paper's second benefit made real.
// Umode processes' pages can be paged out when memory runs low; the clock
// passes over every frame of a resident address space (an Smode process's,
// vm->resident) and every pinned frame (a control area), never choosing them.
//
// Page-out: frame_alloc_or_evict() keeps LOW_WATER frames free by running
// the clock (second chance) over the frame table: a user page of a Umode
// process whose accessed bit is set gets the bit cleared and a second
// chance; one whose bit is clear is written to a swap slot (only if dirty,
// or never written before) and its PTE becomes slot << 12 | PTE_SWAP with
// the present bit clear.
// Page-in: page_in() (vm.c, from vm_fault() or uvm_pagein_all()) calls
// swap_in() for such a PTE. The slot stays
// with the frame (frame.slot) so that a clean page can be dropped again
// without writing it.
#include "kernel.h"
#include "frame.h"
#include "mmu.h"
#include "proc.h"
#include "trace.h"
#include "x86.h"

#define LOW_WATER 64    // page out while fewer frames than this are free
#define SECTORS_PER_SLOT (PGSIZE / 512)
#define SWAP_SLOTS_MAX (1u << 20) // slot numbers must fit a PTE's 20 address bits

uint32_t swap_pageins, swap_pageouts;
static uint8_t *slotmap;     // bit per slot; slot 0 is never used (0 = "none")
static uint32_t nslots, nused;
static uint32_t clock_hand;  // next frame the clock looks at
extern uint32_t nframes;

// Find the swap disk and make its slot bitmap: one page per slot, slot 0
// reserved to mean "none". Without a disk (or one under two slots) nslots stays
// 0 and no page is ever paged out. Boot only; panics if the heap is too small.
void
swap_init(void)
{
    uint32_t sectors = ide_init();
    if (sectors < 2 * SECTORS_PER_SLOT) {
        printk("swap: no swap disk: user pages stay resident\n");
        return;
    }
    nslots = sectors / SECTORS_PER_SLOT;
    if (nslots > SWAP_SLOTS_MAX)
        nslots = SWAP_SLOTS_MAX; // a swapped PTE holds the slot in its 20 high bits
    slotmap = kzalloc((nslots + 7) / 8);
    if (!slotmap)
        panic("swap_init: no memory for the slot bitmap");
    slotmap[0] = 1; // slot 0 means "no slot"
    printk("swap: %u KiB on the IDE disk, %u slots\n", (nslots - 1) * 4, nslots - 1);
}

// Take the lowest free swap slot; returns it, or 0 when the swap is full.
static uint32_t
slot_alloc(void)
{
    for (uint32_t i = 1; i < nslots; i++)
        if (!(slotmap[i / 8] & (1 << (i % 8)))) {
            slotmap[i / 8] |= 1 << (i % 8);
            nused++;
            return i;
        }
    return 0;
}

// Give back a slot whose copy nobody needs any more. Panics if slot is not in
// use (a double free is a kernel bug).
void
swap_free_slot(uint32_t slot)
{
    if (slot == 0 || slot >= nslots || !(slotmap[slot / 8] & (1 << (slot % 8))))
        panic("swap_free_slot: slot %u is not in use", slot);
    slotmap[slot / 8] &= ~(1 << (slot % 8));
    nused--;
}

// One sweep of the clock: page out one unpinned user page of a Umode
// process. Returns 1 if a frame was freed, 0 if there is no victim (every
// user page is pinned, or the swap is full and no unpinned page has a slot).
static int
evict_one(void)
{
    // BEGIN LAB 6: the clock
    // STUB: (void)slot_alloc;
    // STUB: (void)clock_hand;
    for (uint32_t n = 0; n < 2 * nframes; n++) {
        uint32_t idx = clock_hand;
        clock_hand = (clock_hand + 1) % nframes;
        struct frame *f = &frames[idx];
        if (!(f->flags & FRAME_USER) || f->pins > 0)
            continue; // kernel memory, or pinned (a control area)
        struct vmspace *vm = f->owner;
        ASSERT(vm && vm->pgdir);
        if (vm->resident)
            continue; // an Smode process's frame (or one becoming Smode)
        uint32_t *pte = walk(vm->pgdir, f->va, 0);
        uint32_t pa = idx * PGSIZE;
        if (!pte || !(*pte & PTE_P) || PTE_ADDR(*pte) != pa)
            panic("evict_one: frame %x does not map pid %d's page %x", pa, vm->pid, f->va);
        int current = V2P(vm->pgdir) == rcr3();
        if (*pte & PTE_A) { // used since the last sweep: second chance
            *pte &= ~PTE_A;
            if (current)
                invlpg(f->va);
            continue;
        }
        uint32_t slot = f->slot;
        if (!slot || (*pte & PTE_D)) { // the copy on swap is missing or stale
            // Swap full: go on to a page that has a slot of its own. The
            // commit rule (docs/memory.md section 10) promises there is one
            // whenever no frame is free.
            if (!slot && !(slot = slot_alloc()))
                continue;
            if (ide_rw_page(slot * SECTORS_PER_SLOT, P2V(pa), 1) < 0)
                panic("swap: write error on slot %u", slot);
        }
        *pte = (slot << 12) | PTE_SWAP | (*pte & (PTE_U | PTE_W));
        if (current)
            invlpg(f->va);
        if (f->slot)
            vm->nslotted--; // its kept copy is now the page itself
        f->slot = 0; // the PTE holds the slot now
        f->flags &= ~FRAME_USER;
        frame_free(pa);
        vm->nswapped++;
        vm->pageouts++;
        swap_pageouts++;
        TRACE(TR_PAGEOUT, (uint32_t)vm->pid, f->va, slot, 0);
        return 1;
    }
    // END LAB 6
    return 0;
}

// A frame for a user page or file data: keeps LOW_WATER frames free by
// paging out, and never takes the last KERNEL_RESERVE frames. Returns its
// physical address (zeroed), or 0 when memory and swap are exhausted.
// The caller must hold no kernel pointer into a Umode process's page: any
// such page may be paged out here.
uint32_t
frame_alloc_or_evict(void)
{
    while (nslots && frames_free() < LOW_WATER && evict_one())
        ;
    if (frames_free() <= KERNEL_RESERVE)
        return 0;
    return frame_alloc();
}

// Read vm's page from slot into frame pa (page-in). The slot stays with the
// frame as the page's copy on swap.
int
swap_in(struct vmspace *vm, uint32_t slot, uint32_t pa)
{
    ASSERT(slot > 0 && slot < nslots);
    // BEGIN LAB 6: page-in
    // STUB: (void)pa;
    // STUB: panic("lab 6: swap_in: reading pid %d's page back from slot %u is not written yet", vm->pid, slot);
    if (ide_rw_page(slot * SECTORS_PER_SLOT, P2V(pa), 0) < 0)
        return -EIO;
    frames[pa / PGSIZE].slot = slot;
    vm->nslotted++; // a resident page keeping its copy on swap
    vm->pageins++;
    swap_pageins++;
    TRACE(TR_PAGEIN, (uint32_t)vm->pid, slot, 0, 0);
    return 0;
    // END LAB 6
}

// Read slot into frame pa as a copy (fork of a process with pages on swap).
int
swap_read_copy(uint32_t slot, uint32_t pa)
{
    ASSERT(slot > 0 && slot < nslots);
    return ide_rw_page(slot * SECTORS_PER_SLOT, P2V(pa), 0) < 0 ? -EIO : 0;
}

// Swap capacity in pages, slot 0 excluded; 0 without a swap disk.
uint32_t
swap_slots_total(void)
{
    return nslots ? nslots - 1 : 0;
}

// Slots in use: pages on swap, and clean copies kept for resident pages.
uint32_t
swap_slots_used(void)
{
    return nused;
}
