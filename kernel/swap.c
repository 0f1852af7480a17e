// Paging to a swap device. Until the swap device exists (issue 5) no page is
// ever written out: there are no PTE_SWAP entries, and user pages come
// straight from the frame allocator.
#include "kernel.h"
#include "proc.h"

uint32_t swap_pageins, swap_pageouts;

// A frame for a user page, or 0 when memory is exhausted.
uint32_t
page_alloc_for_user(void)
{
    return frame_alloc();
}

int
swap_in(struct proc *p, uint32_t slot, uint32_t pa)
{
    (void)p, (void)pa;
    panic("swap_in: slot %u but there is no swap device", slot);
}

int
swap_read_copy(uint32_t slot, uint32_t pa)
{
    (void)pa;
    panic("swap_read_copy: slot %u but there is no swap device", slot);
}

void
swap_free_slot(uint32_t slot)
{
    panic("swap_free_slot: slot %u but there is no swap device", slot);
}

uint32_t
swap_slots_total(void)
{
    return 0;
}

uint32_t
swap_slots_used(void)
{
    return 0;
}

void
swap_init(void)
{
    printk("swap: none (pages stay resident)\n");
}
