// The kernel heap: kmalloc/kfree over one contiguous region (frame.h sizes
// it). Blocks lie end to end, each behind a 16-byte header; allocation is
// first fit, merging free neighbours as it walks. Simple and plenty for
// kernel stacks, the process's file table and directory arrays.
#include "kernel.h"
#include "frame.h"
#include "mmu.h"

#define HEAP_MAGIC 0x4B48u // "KH"

struct block {
    uint32_t size;  // bytes, header included; a multiple of 16
    uint16_t used;
    uint16_t magic;
    uint32_t pad[2];
};
_Static_assert(sizeof(struct block) == 16, "heap headers keep 16-byte alignment");

static uint8_t *heap, *heap_end;
static uint32_t used_bytes;

// Make the heap region frame_init reserved one free block. Boot only, after
// frame_init (heap_size is a multiple of 16) and before the first kmalloc.
void
kheap_init(void)
{
    heap = P2V(heap_base);
    heap_end = heap + heap_size;
    struct block *b = (struct block *)heap;
    *b = (struct block){.size = heap_size, .used = 0, .magic = HEAP_MAGIC};
}

// Allocate n bytes, 16-byte aligned, contents undefined. Returns 0 when the
// heap is full. Interrupt handlers must not call it.
void *
kmalloc(size_t n)
{
    if (n > heap_size) // also keeps the rounding below from wrapping
        return 0;
    uint32_t need = (uint32_t)((n + sizeof(struct block) + 15) & ~15u);
    void *result = 0;
    pushcli();
    for (uint8_t *a = heap; a < heap_end;) {
        struct block *b = (struct block *)a;
        if (b->magic != HEAP_MAGIC)
            panic("kmalloc: heap corrupted at %p", b);
        if (!b->used) {
            // merge the free blocks that follow
            struct block *next = (struct block *)(a + b->size);
            while ((uint8_t *)next < heap_end && !next->used) {
                b->size += next->size;
                next = (struct block *)(a + b->size);
            }
            if (b->size >= need) {
                if (b->size - need >= 64) { // split off the rest
                    struct block *rest = (struct block *)(a + need);
                    *rest = (struct block){.size = b->size - need, .magic = HEAP_MAGIC};
                    b->size = need;
                }
                b->used = 1;
                used_bytes += b->size;
                result = b + 1;
                break;
            }
        }
        a += b->size;
    }
    popcli();
    return result;
}

// kmalloc with the n bytes zeroed; 0 when the heap is full. Not from interrupt
// handlers.
void *
kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

// Free a block kmalloc returned (0 is ignored). Panics on a pointer outside the
// heap, without a valid header, or already free. Free neighbours merge later,
// in kmalloc's walk.
void
kfree(void *p)
{
    if (!p)
        return;
    struct block *b = (struct block *)p - 1;
    if ((uint8_t *)b < heap || (uint8_t *)b >= heap_end || b->magic != HEAP_MAGIC || !b->used)
        panic("kfree: %p was not allocated by kmalloc", p);
    pushcli();
    b->used = 0;
    used_bytes -= b->size;
    popcli();
}

// Bytes in allocated blocks, headers included.
uint32_t
kheap_used(void)
{
    return used_bytes;
}
