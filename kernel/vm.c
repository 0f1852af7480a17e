// Virtual memory: the kernel's page directory, per-process address spaces,
// checked copies between kernel and user space, and the page-fault side of
// demand paging (lazy pages here, pages on swap in swap.c).
//
// Every page directory maps the kernel above KERNBASE with 4 MiB pages,
// supervisor-only (the same directory entries in every process); user space
// lies below. A user address space is a struct vmspace (proc.h), embedded
// in its process as p->vm. A user page's frame records the space that owns
// it and its address (frame.h). Residency belongs to the address space, not
// to each page: while a process is Smode its space is flagged resident, the
// clock passes over its frames and it has no page on swap (vm->nswapped
// counts them), so a switch costs O(1) of the process's size.
#include "kernel.h"
#include "frame.h"
#include "mmu.h"
#include "proc.h"
#include "x86.h"

uint32_t *kpgdir; // the kernel's own page directory (no user space)
extern struct tss df_tss;

// Build the kernel page directory: all RAM direct-mapped at KERNBASE.
void
kvm_init(void)
{
    uint32_t pa = frame_alloc();
    if (!pa)
        panic("kvm_init: out of memory");
    kpgdir = P2V(pa);
    for (uint32_t a = 0; a < phystop; a += 4u << 20)
        kpgdir[PDX(KERNBASE + a)] = a | PTE_P | PTE_W | PTE_PS;
    df_tss.cr3 = pa; // the double-fault task uses it
    kvm_switch();
}

// Map the device memory [pa, pa + size) (a PCI memory BAR above RAM, which the
// direct map does not reach) into the kernel's MMIO window above it, uncached
// (PCD|PWT), supervisor-only, and return the virtual address of pa. The
// window is handed out upward from MMIO_BASE in 4 MiB pages, never freed.
// Boot only, before the first process: uvm_create copies kpgdir's kernel
// half into every new page directory, so each process sees the mapping; a
// call after processes exist would miss theirs (hence the ASSERT below).
// Panics if the window is full.
void *
kvm_map_mmio(uint32_t pa, uint32_t size)
{
    static uint32_t next = MMIO_BASE; // the window's first unused 4 MiB page
    ASSERT(curproc == 0 && size > 0);
    uint32_t big = 4u << 20, first = pa & ~(big - 1);
    uint32_t last = (pa + size - 1) & ~(big - 1);
    uint32_t va = next;
    for (uint32_t a = first;; a += big) {
        if (next == 0) // wrapped past 4 GiB
            panic("kvm_map_mmio: no room for 0x%x bytes at 0x%08x", size, pa);
        kpgdir[PDX(next)] = a | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
        next += big;
        if (a == last)
            break;
    }
    lcr3(rcr3()); // flush the TLB (these PDEs were not present: cheap insurance)
    return (void *)(va + (pa - first));
}

// Run on the kernel's page directory (no process's user space).
void
kvm_switch(void)
{
    lcr3(V2P(kpgdir));
}

// A new page directory with the kernel half and an empty user half, charged
// to the commit. Returns 0 when the commit refuses it.
uint32_t *
uvm_create(void)
{
    uint32_t pa = frame_alloc_committed();
    if (!pa)
        return 0;
    uint32_t *pgdir = P2V(pa);
    for (uint32_t i = PDX(KERNBASE); i < NPDENTRIES; i++)
        pgdir[i] = kpgdir[i];
    return pgdir;
}

// The page-table entry for va in pgdir, creating the page table if create is
// set (charged to the commit). Returns 0 if there is none (or the commit
// refuses one). User half only.
uint32_t *
walk(uint32_t *pgdir, uint32_t va, int create)
{
    ASSERT(va < KERNBASE);
    uint32_t *pde = &pgdir[PDX(va)];
    if (!(*pde & PTE_P)) {
        if (!create)
            return 0;
        uint32_t pa = frame_alloc_committed();
        if (!pa)
            return 0;
        *pde = pa | PTE_P | PTE_W | PTE_U; // pages decide their own protection
    }
    uint32_t *pt = P2V(PTE_ADDR(*pde));
    return &pt[PTX(va)];
}

// The part of n pages of vm that the commit counts as resident: all of them
// for a resident space (an Smode process's: never paged out), else none.
static uint32_t
resident_part(struct vmspace *vm, uint32_t n)
{
    return vm->resident ? n : 0;
}

// Record that frame pa now holds vm's page at va (the reverse map page-out
// uses; whether it may be paged out is vm->resident's business).
static void
frame_set_user(struct vmspace *vm, uint32_t va, uint32_t pa)
{
    struct frame *f = &frames[pa / PGSIZE];
    ASSERT(!(f->flags & FRAME_USER) && f->pins == 0);
    f->flags |= FRAME_USER;
    f->owner = vm;
    f->va = va;
}

// Release the swap slot of a page of vm that was on swap (its PTE held it).
static void
drop_swapped(struct vmspace *vm, uint32_t pte)
{
    ASSERT(vm->nswapped > 0);
    vm->nswapped--;
    swap_free_slot(PTE_ADDR(pte) >> 12);
}

// Forget vm's user page's frame and free it, with its old copy on swap.
static void
frame_drop_user(struct vmspace *vm, uint32_t pa)
{
    struct frame *f = &frames[pa / PGSIZE];
    if (f->slot) { // its old copy on swap is of no use any more
        swap_free_slot(f->slot);
        f->slot = 0;
        vm->nslotted--;
    }
    f->flags &= ~FRAME_USER;
    frame_free(pa);
}

// Map frame pa at va in the directory pgdir with perm (PTE_W and/or PTE_U).
int
uvm_map(uint32_t *pgdir, uint32_t va, uint32_t pa, uint32_t perm)
{
    uint32_t *pte = walk(pgdir, va, 1);
    if (!pte)
        return -ENOMEM;
    if (*pte & PTE_P)
        panic("uvm_map: 0x%08x already mapped", va);
    *pte = pa | perm | PTE_P;
    return 0;
}

// Charge the commit for vm's new pages [from, to) (none of them may be in use
// yet). 0 or -ENOMEM.
static int
commit_range(struct vmspace *vm, uint32_t from, uint32_t to)
{
    uint32_t n = (PGROUNDUP(to) - PGROUNDDOWN(from)) / PGSIZE;
    if (vm_commit(n, resident_part(vm, n)) < 0)
        return -ENOMEM;
    vm->npages += n;
    return 0;
}

// Undo commit_range for the pages [from, to) that never became PTEs.
static void
uncommit_range(struct vmspace *vm, uint32_t from, uint32_t to)
{
    uint32_t n = (PGROUNDUP(to) - PGROUNDDOWN(from)) / PGSIZE;
    vm_uncommit(n, resident_part(vm, n));
    vm->npages -= n;
}

// Give vm fresh zeroed pages for [from, to) with perm, charged to the commit
// first: a range that does not fit fails at once, before any frame is taken.
// On failure nothing of the range stays allocated and -ENOMEM is returned.
int
uvm_alloc(struct vmspace *vm, uint32_t from, uint32_t to, uint32_t perm)
{
    if (commit_range(vm, from, to) < 0)
        return -ENOMEM;
    for (uint32_t va = PGROUNDDOWN(from); va < to; va += PGSIZE) {
        uint32_t pa = frame_alloc_or_evict();
        if (!pa || uvm_map(vm->pgdir, va, pa, perm) < 0) {
            if (pa)
                frame_free(pa);
            uncommit_range(vm, va, to);
            uvm_dealloc(vm, from, va);
            return -ENOMEM;
        }
        frame_set_user(vm, va, pa);
    }
    return 0;
}

// Reserve [from, to) in vm without memory: each page is allocated on its
// first touch (vm_fault), but it is charged to the commit now, so that the
// touch cannot fail. Used for the stack below its top page and the heap, in
// both modes. 0 or -ENOMEM.
int
uvm_reserve(struct vmspace *vm, uint32_t from, uint32_t to, uint32_t perm)
{
    if (commit_range(vm, from, to) < 0)
        return -ENOMEM;
    for (uint32_t va = PGROUNDDOWN(from); va < to; va += PGSIZE) {
        uint32_t *pte = walk(vm->pgdir, va, 1);
        if (!pte) {
            uncommit_range(vm, va, to);
            uvm_dealloc(vm, from, va);
            return -ENOMEM;
        }
        ASSERT(*pte == 0);
        *pte = PTE_LAZY | perm;
    }
    return 0;
}

// Free the page tables of vm's directory entries that cover [from, to) and
// map nothing any more (with their commit charge).
static void
free_empty_tables(struct vmspace *vm, uint32_t from, uint32_t to)
{
    int freed = 0;
    for (uint32_t i = PDX(from); i <= PDX(to - 1) && i < PDX(KERNBASE); i++) {
        if (!(vm->pgdir[i] & PTE_P))
            continue;
        uint32_t *pt = P2V(PTE_ADDR(vm->pgdir[i]));
        uint32_t j = 0;
        while (j < NPTENTRIES && pt[j] == 0)
            j++;
        if (j < NPTENTRIES)
            continue;
        frame_free_committed(PTE_ADDR(vm->pgdir[i]));
        vm->pgdir[i] = 0;
        freed = 1;
    }
    if (freed && V2P(vm->pgdir) == rcr3())
        lcr3(rcr3()); // forget the cached directory entries too
}

// Release vm's pages in [from, to), resident, lazy or on swap, with their
// commit charge, and the page tables left empty.
void
uvm_dealloc(struct vmspace *vm, uint32_t from, uint32_t to)
{
    if (to <= from)
        return;
    for (uint32_t va = PGROUNDDOWN(from); va < to; va += PGSIZE) {
        uint32_t *pte = walk(vm->pgdir, va, 0);
        if (!pte || !*pte)
            continue;
        if (*pte & PTE_P)
            frame_drop_user(vm, PTE_ADDR(*pte));
        else if (*pte & PTE_SWAP)
            drop_swapped(vm, *pte);
        *pte = 0;
        vm_uncommit(1, resident_part(vm, 1));
        vm->npages--;
        if (V2P(vm->pgdir) == rcr3())
            invlpg(va);
    }
    free_empty_tables(vm, PGROUNDDOWN(from), to);
}

// Call fn on every user page-table entry of vm that is in use (present,
// lazy or swapped), in address order. Stops early and returns fn's value
// when it is non-zero. User memory lies only in vm's four regions: the
// program and heap [USERBASE, brk), the shared libraries [LIBBASE,
// lib_end), the stack reservation, and the control area, so only those are
// walked.
int
uvm_each(struct vmspace *vm, int (*fn)(uint32_t va, uint32_t *pte, void *arg), void *arg)
{
    const uint32_t regions[4][2] = {
        {USERBASE, PGROUNDUP(vm->brk)},
        {LIBBASE, vm->lib_end},
        {USTACKBASE, USTACKTOP},
        {MODEPAGE, MODEPAGE + PGSIZE},
    };
    for (int r = 0; r < 4; r++) {
        for (uint32_t va = regions[r][0]; va < regions[r][1]; va += PGSIZE) {
            uint32_t pde = vm->pgdir[PDX(va)];
            if (!(pde & PTE_P)) { // no page table: skip to the next 4 MiB
                va = ((va >> 22) + 1) * (4u << 20) - PGSIZE;
                continue;
            }
            uint32_t *pte = (uint32_t *)P2V(PTE_ADDR(pde)) + PTX(va);
            if (!*pte)
                continue;
            int ret = fn(va, pte, arg);
            if (ret)
                return ret;
        }
    }
    return 0;
}

// uvm_each callback for uvm_free: release one page of vm (arg), its frame (for
// the control area, first its pin for life) or its swap slot, its commit
// charge (the control area's is resident in either mode), and clear the PTE.
// Returns 0.
static int
free_one(uint32_t va, uint32_t *pte, void *arg)
{
    struct vmspace *vm = arg;
    if (*pte & PTE_SHARED) { // a shared library's page: its frame is the library's
        *pte = 0;
        return 0;
    }
    if (va == MODEPAGE)
        frame_unpin(PTE_ADDR(*pte)); // its pin for life (mode_init_modepage)
    if (*pte & PTE_P)
        frame_drop_user(vm, PTE_ADDR(*pte));
    else if (*pte & PTE_SWAP)
        drop_swapped(vm, *pte);
    *pte = 0;
    vm_uncommit(1, va == MODEPAGE ? 1 : resident_part(vm, 1));
    if (va != MODEPAGE)
        vm->npages--;
    return 0;
}

// Free all of vm's user memory, its page tables and its page directory, and
// their commit charges. No process may be running on this directory (exit
// switches to kpgdir first).
void
uvm_free(struct vmspace *vm)
{
    if (!vm->pgdir)
        return;
    ASSERT(rcr3() != V2P(vm->pgdir));
    uvm_each(vm, free_one, vm);
    dyn_release(vm); // its references to the shared pages' libraries
    for (uint32_t i = 0; i < PDX(KERNBASE); i++)
        if (vm->pgdir[i] & PTE_P)
            frame_free_committed(PTE_ADDR(vm->pgdir[i]));
    frame_free_committed(V2P(vm->pgdir));
    vm->pgdir = 0;
    vm->modepage = 0;
}

struct copy_arg {
    struct vmspace *child, *parent;
    uint32_t left; // pages charged for the child and not yet given a PTE
};

// uvm_each callback for uvm_copy: the child's own copy of the parent's page at
// va (read from swap if it is there); lazy PTEs are copied as they are, the
// control area skipped. 0, -ENOMEM or -EIO. The allocation may page the
// parent's page out, so its PTE is read again after it.
static int
copy_one(uint32_t va, uint32_t *pte, void *arg)
{
    struct copy_arg *c = arg;
    if (va == MODEPAGE)
        return 0; // the child gets its own control area (mode_init_modepage)
    ASSERT(c->left > 0); // no more pages here than parent->npages counts
    uint32_t *cpte = walk(c->child->pgdir, va, 1);
    if (!cpte)
        return -ENOMEM;
    if (*pte & PTE_SHARED) { // a shared library's page: shared, not copied or charged
        *cpte = *pte;
        return 0;
    }
    if (!(*pte & (PTE_P | PTE_SWAP))) { // lazy: still nothing to copy
        *cpte = *pte;
        c->left--; // the PTE carries the charge from here on
        return 0;
    }
    uint32_t pa = frame_alloc_or_evict();
    if (!pa)
        return -ENOMEM;
    int r = *pte & PTE_P ? (memcpy(P2V(pa), P2V(PTE_ADDR(*pte)), PGSIZE), 0)
                         : swap_read_copy(PTE_ADDR(*pte) >> 12, pa);
    if (r < 0) {
        frame_free(pa);
        return r;
    }
    c->left--; // the PTE carries the charge from here on (uvm_free takes it back)
    *cpte = pa | (*pte & (PTE_U | PTE_W)) | PTE_P;
    frame_set_user(c->child, va, pa);
    return 0;
}

// Copy the parent's user memory into the child's fresh directory (fork),
// lazy pages included: the whole copy is charged to the commit first, so a
// fork that does not fit fails at once. Pages on swap are read into the
// child's copy. Returns 0, -ENOMEM or -EIO; on failure the caller frees the
// child's partial copy with uvm_free.
int
uvm_copy(struct vmspace *child, struct vmspace *parent)
{
    uint32_t n = parent->npages;
    if (vm_commit(n, resident_part(child, n)) < 0)
        return -ENOMEM;
    struct copy_arg c = {child, parent, n};
    dyn_share(child, parent); // before the walk: uvm_free drops what it takes
    int r = uvm_each(parent, copy_one, &c);
    // the copy's own walk checks the count: parent->npages pages, no fewer
    // (copy_one asserts no more), and no second walk of the parent for it
    ASSERT(r < 0 || c.left == 0);
    vm_uncommit(c.left, resident_part(child, c.left));
    child->npages += n - c.left; // the PTEs made carry the charge
    return r;
}

// uvm_each callback for uvm_adopt: make arg the owner of a resident page's
// frame (a page on swap has no frame). Returns 0.
static int
adopt_one(uint32_t va, uint32_t *pte, void *arg)
{
    (void)va;
    if (*pte & PTE_P)
        frames[PTE_ADDR(*pte) / PGSIZE].owner = arg;
    return 0;
}

// Make vm the owner of the frames it maps: exec built the space in a struct
// of its own (exec.c) and has just copied it into the process.
void
uvm_adopt(struct vmspace *vm)
{
    uvm_each(vm, adopt_one, vm);
}

// Make p the running address space: its kernel stack in the TSS, its
// page directory in CR3.
void
switchuvm(struct proc *p)
{
    pushcli();
    tss_set_kstack((uint32_t)p->kstack + KSTACK_SIZE, V2P(p->vm.pgdir));
    lcr3(V2P(p->vm.pgdir));
    popcli();
}

#define ACCESS_READ 0
#define ACCESS_WRITE 1
#define ACCESS_LOAD 2 // exec writing the program image: ignores PTE_W

// The kernel address of user address va in vm, making the page resident
// first (lazy or swapped page); 0 if va is not a valid user address for the
// access (ACCESS_WRITE needs a writable page; ACCESS_LOAD, exec writing the
// program image, writes read-only pages too). The page is marked accessed,
// and dirty when written, as the program's own access would. The pointer
// is good until the next frame allocation (which may page the page out
// again).
static uint8_t *
uva2ka(struct vmspace *vm, uint32_t va, int access)
{
    // BEGIN LAB 2: finding a user address in the page table: the checks
    // STUB: uint32_t *pte = walk(vm->pgdir, va, 0); // the trusting version: no check at all
    // STUB: if (!(*pte & PTE_P))
    // STUB:     vm_fault(vm, va, access == ACCESS_WRITE);
    // STUB: return (uint8_t *)P2V(PTE_ADDR(*pte)) + (va & (PGSIZE - 1));
    int write = access != ACCESS_READ;
    if (va < USERBASE || va >= KERNBASE)
        return 0;
    uint32_t *pte = walk(vm->pgdir, va, 0);
    if (!pte || !*pte)
        return 0;
    if (!(*pte & PTE_P) && vm_fault(vm, va, access == ACCESS_WRITE) < 0)
        return 0;
    if (!(*pte & PTE_U) || (access == ACCESS_WRITE && !(*pte & PTE_W)))
        return 0;
    *pte |= PTE_A | (write ? PTE_D : 0); // the kernel's access counts as a use
    return (uint8_t *)P2V(PTE_ADDR(*pte)) + (va & (PGSIZE - 1));
    // END LAB 2
}

// Copy n bytes from user address uva of vm into kernel buffer dst. Every
// page is checked against vm's page table: -EFAULT if any byte is not
// readable user memory. The single place where the kernel reads user memory.
static int
copy_from_user(struct vmspace *vm, void *dst, uint32_t uva, uint32_t n)
{
    // BEGIN LAB 2: copying in: every page checked against the page table
    // STUB: uint8_t *d = dst; // the trusting version: no check at all
    // STUB: for (uint32_t i = 0; i < n; i++)
    // STUB:     d[i] = *uva2ka(vm, uva + i, ACCESS_READ);
    // STUB: return 0;
    uint8_t *d = dst;
    if (uva + n < uva)
        return -EFAULT;
    while (n > 0) {
        uint8_t *k = uva2ka(vm, uva, ACCESS_READ);
        if (!k)
            return -EFAULT;
        uint32_t chunk = MIN(n, PGSIZE - (uva & (PGSIZE - 1)));
        memcpy(d, k, chunk);
        d += chunk, uva += chunk, n -= chunk;
    }
    return 0;
    // END LAB 2
}

// Copy n bytes from user address uva of p into kernel buffer dst: 0, or
// -EFAULT if any byte is not readable user memory of p's.
int
copyin(struct proc *p, void *dst, uint32_t uva, uint32_t n)
{
    return copy_from_user(&p->vm, dst, uva, n);
}

// copyin from an address space that no process runs yet (the dynamic
// linker reads the new image's tables, dynlink.c).
int
uvm_copyin(struct vmspace *vm, void *dst, uint32_t uva, uint32_t n)
{
    return copy_from_user(vm, dst, uva, n);
}

// Copy n bytes from kernel buffer src to user address uva of vm (writable
// user pages only, unless access is ACCESS_LOAD), or -EFAULT. The single
// place the kernel writes user memory.
static int
copy_to_user(struct vmspace *vm, uint32_t uva, const void *src, uint32_t n, int access)
{
    const uint8_t *s = src;
    if (uva + n < uva)
        return -EFAULT;
    while (n > 0) {
        uint8_t *k = uva2ka(vm, uva, access);
        if (!k || (frames[V2P(k) / PGSIZE].flags & FRAME_SHARED)) // shared text: never written
            return -EFAULT;
        uint32_t chunk = MIN(n, PGSIZE - (uva & (PGSIZE - 1)));
        memcpy(k, s, chunk);
        s += chunk, uva += chunk, n -= chunk;
    }
    return 0;
}

// Copy n bytes from kernel buffer src to user address uva of p (writable user
// pages; lazy and swapped ones are made resident). 0 or -EFAULT, possibly after
// a part was copied. May page other memory out; never sleeps.
int
copyout(struct proc *p, uint32_t uva, const void *src, uint32_t n)
{
    return copy_to_user(&p->vm, uva, src, n, ACCESS_WRITE);
}

// copyout into an address space that no process runs yet (exec's new
// stack).
int
uvm_copyout(struct vmspace *vm, uint32_t uva, const void *src, uint32_t n)
{
    return copy_to_user(vm, uva, src, n, ACCESS_WRITE);
}

// exec's copy of the program image into vm's pages, read-only ones included.
int
uvm_load(struct vmspace *vm, uint32_t uva, const void *src, uint32_t n)
{
    return copy_to_user(vm, uva, src, n, ACCESS_LOAD);
}

// Copy n bytes at user address va of vm into dst, if every one of them lies
// in a present user page; nothing is faulted in, and vm need not be the
// running space (method (a) reads a preempted process's code). 0 or -EFAULT.
int
uvm_peek(struct vmspace *vm, uint32_t va, void *dst, uint32_t n)
{
    uint8_t *d = dst;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = va + i;
        uint32_t *pte = a >= USERBASE && a < KERNBASE ? walk(vm->pgdir, a, 0) : 0;
        if (!pte || (*pte & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
            return -EFAULT;
        d[i] = *((uint8_t *)P2V(PTE_ADDR(*pte)) + (a & (PGSIZE - 1)));
    }
    return 0;
}

// Copy a NUL-terminated string of at most max bytes (NUL included) from
// user space. Returns its length, -EFAULT, or -ENAMETOOLONG.
int
copyinstr(struct proc *p, char *dst, uint32_t uva, uint32_t max)
{
    // BEGIN LAB 2: copyinstr checks every byte's page too
    // STUB: (void)p; // the trusting version: a bad pointer takes the kernel down
    // STUB: strlcpy(dst, (const char *)uva, max);
    // STUB: return (int)strlen(dst);
    for (uint32_t i = 0; i < max; i++) {
        uint8_t *k = uva2ka(&p->vm, uva + i, ACCESS_READ);
        if (!k)
            return -EFAULT;
        dst[i] = (char)*k;
        if (!*k)
            return (int)i;
    }
    return -ENAMETOOLONG;
    // END LAB 2
}

// Give vm's page at va a frame: pte is its entry, lazy (a fresh zeroed
// page) or on swap (read back: a page-in). The demand-paging half of a page
// fault, and of making a space resident (uvm_pagein_all). Returns 0,
// -ENOMEM if no frame can be had, or -EIO if the swap disk fails.
static int
page_in(struct vmspace *vm, uint32_t va, uint32_t *pte)
{
    // BEGIN LAB 6: demand paging, a frame for a lazy or swapped page
    // STUB: (void)pte;
    // STUB: panic("lab 6: page_in: demand paging is not written yet (pid %d, address 0x%x)", vm->pid, va);
    vm->faults++;
    uint32_t pa = frame_alloc_or_evict();
    if (!pa)
        return -ENOMEM;
    if (*pte & PTE_SWAP) {
        ASSERT(vm->nswapped > 0);
        int r = swap_in(vm, PTE_ADDR(*pte) >> 12, pa);
        if (r < 0) {
            frame_free(pa);
            return r;
        }
        vm->nswapped--;
    }
    // accessed: the access that faulted is about to use it (without PTE_A the
    // clock could take it back before the retried instruction runs)
    *pte = pa | (*pte & (PTE_U | PTE_W)) | PTE_A | PTE_P;
    frame_set_user(vm, PGROUNDDOWN(va), pa);
    return 0;
    // END LAB 6
}

// A page fault at user address va of vm (from its process's code, or from
// the kernel's copyin/copyout on its behalf). Makes a lazy page or a page on
// swap resident (page_in). Returns 0 if the access can be retried, -EFAULT
// if va is simply a bad address for this access, -ENOMEM if no memory can
// be had, -EIO if the swap disk fails.
int
vm_fault(struct vmspace *vm, uint32_t va, int write)
{
    if (va >= KERNBASE || !vm->pgdir)
        return -EFAULT;
    uint32_t *pte = walk(vm->pgdir, va, 0);
    if (!pte || (*pte & PTE_P) || !(*pte & (PTE_LAZY | PTE_SWAP)))
        return -EFAULT; // unmapped, or a protection fault on a present page
    if (write && !(*pte & PTE_W))
        return -EFAULT;
    // a resident (Smode) space has no page out, so it never takes a page-in
    ASSERT(!(*pte & PTE_SWAP) || !vm->resident);
    return page_in(vm, va, pte);
}

// uvm_each callback for vm_count: add the page to pi's size and to its
// resident (and pinned) or swapped count. Returns 0.
static int
count_one(uint32_t va, uint32_t *pte, void *arg)
{
    struct procinfo *pi = arg;
    (void)va;
    if (*pte & PTE_P) {
        pi->resident++;
        if (frame_pincount(PTE_ADDR(*pte)) > 0)
            pi->pinned++;
    } else if (*pte & PTE_SWAP) {
        pi->swapped++;
    }
    pi->size += PGSIZE;
    return 0;
}

// Fill the memory figures of pi for vm: size, resident, swapped, pinned.
void
vm_count(struct vmspace *vm, struct procinfo *pi)
{
    pi->size = pi->resident = pi->swapped = pi->pinned = 0;
    if (vm->pgdir)
        uvm_each(vm, count_one, pi);
}

// uvm_each callback for uvm_pagein_all: read one page of vm back from
// swap, and drop the copy on swap a resident page keeps (an Smode space
// keeps no slot: the commit rule counts on every slot in use belonging to a
// page that can be paged out, docs/memory.md section 10). Returns 1 to stop
// once nothing of vm is on swap, an errno, or 0.
static int
pagein_one(uint32_t va, uint32_t *pte, void *arg)
{
    struct vmspace *vm = arg;
    vm->walked++;
    if (*pte & PTE_SWAP) {
        int r = page_in(vm, va, pte);
        if (r < 0)
            return r;
    }
    struct frame *f = &frames[PTE_ADDR(*pte) / PGSIZE];
    if ((*pte & PTE_P) && va != MODEPAGE && f->slot) {
        swap_free_slot(f->slot);
        f->slot = 0;
        vm->nslotted--;
    }
    return vm->nswapped == 0 && vm->nslotted == 0;
}

// Read back every page vm has on swap, and drop the copies on swap that its
// resident pages keep: its process is becoming Smode (mode.c make_resident), which
// calls this only when vm->nswapped or vm->nslotted says something is there.
// Returns 0, or a negative errno (-ENOMEM, -EIO; pages read back stay in).
int
uvm_pagein_all(struct vmspace *vm)
{
    int r = uvm_each(vm, pagein_one, vm);
    if (r < 0)
        return r;
    ASSERT(vm->nswapped == 0 && vm->nslotted == 0); // nothing of an Smode space on swap
    return 0;
}
