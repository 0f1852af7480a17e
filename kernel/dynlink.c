// The kernel's dynamic linker. A program with a PT_DYNAMIC segment is linked
// at exec, before its first instruction runs: every library it needs
// (DT_NEEDED, from /lib) is mapped into the new address space from LIBBASE
// up, and every relocation of the libraries and of the program is bound at
// once (no lazy binding: the PLT's slots are filled before the program
// starts). Here rather than in a user-space ld.so because the kernel
// already reads the ELF image, it alone can map the same frames into many
// address spaces, and there is no mmap for an ld.so to use
// (docs/architecture.md, "ELF loading and the linker").
//
// A library's read-only segments (its text) are in memory once, shared by
// every process that maps it (struct shared): their frames belong to the
// library, are charged once to the commit as resident and are never paged
// out, so DMSM's residency rule holds for them in either mode
// (docs/memory.md). Its writable segment (data, GOT) is each process's
// own, read from the file at exec.
//
// Every table a binary has is checked before it is used: a bad binary gets
// an error from exec and one line naming the problem, never a panic.
#include "kernel.h"
#include "elf.h"
#include "frame.h"
#include "mmu.h"
#include "proc.h"

#define MAX_OBJS 8     // the program and up to seven libraries, per exec
#define MAX_NEEDED 4   // DT_NEEDED entries of one object
#define MAX_SEGS 4     // PT_LOAD segments of one library
#define MAX_PHDRS 16
#define MAX_DYN 64     // dynamic section entries read
#define SYMNAME_MAX 64
#define NSHARED 32     // shared segments in memory at once, every library's
#define LIB_MAX_SIZE (LIBTOP - LIBBASE)

// The libraries share the stack's page table (one table less per process).
_Static_assert(LIBBASE >> 22 == (LIBTOP - 1) >> 22 && LIBBASE >> 22 == USTACKTOP >> 22,
               "the library region is not in the stack's 4 MiB");

// A read-only segment of a library file, in memory once.
struct shared {
    struct inode *ip;  // the library (one reference while refs > 0)
    uint32_t off;      // the segment's page-aligned offset in the file
    uint32_t npages;
    uint32_t *frames;  // their physical addresses (kmalloc'd)
    int refs;          // address spaces that map it
};
static struct shared shared[NSHARED];

// One object of a link: the program (base 0: linked where it runs) or a
// library (base: where this link put it). Addresses are user addresses.
struct object {
    char name[NAME_MAX + 1];
    uint32_t base;
    uint32_t lo, hi;                             // what it occupies
    uint32_t rw_lo[MAX_SEGS], rw_hi[MAX_SEGS];   // its writable segments
    int nrw;
    uint32_t symtab, strtab, strsz, hash, nbucket, nsyms, rel, relsz, jmprel, pltrelsz;
    uint32_t needed[MAX_NEEDED];                 // library names (offsets in strtab)
    int nneeded, loading;                        // loading: its libraries are being loaded
};

// One exec's link.
struct linker {
    struct vmspace *vm;
    const char *path; // the program's, for messages
    struct object objs[MAX_OBJS];
    int nobjs;
    uint32_t next;    // where the next library goes
    int smode;        // the process is Smode: every library must be trusted
    int trusted;      // every library so far is from a trusted tree
};

static void shared_put(struct shared *sh);

// Say why the link failed, on one line (rate-limited: a program may exec a
// bad binary in a loop), and return err.
static int
fail(struct linker *l, int err, const char *what, const char *detail)
{
    static struct ratelimit rl = {.what = "exec: link failed"};
    if (ratelimit_ok(&rl))
        printk("exec %s: %s%s%s (%d)\n", l->path, what, detail ? ": " : "", detail ? detail : "",
               err);
    return err;
}

// ---- shared segments ----

// Free sh's frames (those allocated so far) and its slot.
static void
shared_free(struct shared *sh)
{
    for (uint32_t i = 0; i < sh->npages && sh->frames[i]; i++) {
        frames[sh->frames[i] / PGSIZE].flags &= ~FRAME_SHARED;
        frame_free_committed(sh->frames[i]);
    }
    kfree(sh->frames);
    inode_put(sh->ip);
    sh->ip = 0;
    sh->refs = 0;
}

// Read page i of sh from the file: its bytes that lie in [from, to) (the
// segment's file extent), zeros elsewhere. 0, or -1 if the file is short.
static int
shared_fill(struct shared *sh, uint32_t i, uint32_t from, uint32_t to)
{
    uint32_t page = sh->off + i * PGSIZE;
    uint32_t lo = MAX(from, page), hi = MIN(to, page + PGSIZE);
    if (lo >= hi)
        return 0;
    char *dst = (char *)P2V(sh->frames[i]) + (lo - page);
    return fs_read(sh->ip, lo, dst, hi - lo) == (int)(hi - lo) ? 0 : -1;
}

// A reference to the segment of ip at page-aligned file offset off, npages
// long, whose bytes in the file are [from, to): the one in memory, or read
// in now. 0 if there is no room or memory, or the file is short.
static struct shared *
shared_get(struct inode *ip, uint32_t off, uint32_t npages, uint32_t from, uint32_t to)
{
    struct shared *slot = 0;
    for (struct shared *sh = shared; sh < &shared[NSHARED]; sh++) {
        if (sh->refs && sh->ip == ip && sh->off == off && sh->npages == npages) {
            sh->refs++;
            return sh;
        }
        if (!sh->refs && !slot)
            slot = sh;
    }
    if (!slot || !(slot->frames = kzalloc(npages * sizeof(uint32_t))))
        return 0;
    inode_ref(ip);
    slot->ip = ip, slot->off = off, slot->npages = npages, slot->refs = 1;
    for (uint32_t i = 0; i < npages; i++) {
        slot->frames[i] = frame_alloc_committed(); // charged once, as resident
        if (!slot->frames[i] || shared_fill(slot, i, from, to) < 0) {
            shared_free(slot);
            return 0;
        }
        frames[slot->frames[i] / PGSIZE].flags |= FRAME_SHARED;
    }
    return slot;
}

// Drop a reference to sh; the last one frees its frames.
static void
shared_put(struct shared *sh)
{
    ASSERT(sh->refs > 0);
    if (--sh->refs == 0)
        shared_free(sh);
}

// child, a copy of parent (fork), maps the same shared segments: take a
// reference to each (its PTEs are copied by uvm_copy).
void
dyn_share(struct vmspace *child, struct vmspace *parent)
{
    child->lib_end = parent->lib_end;
    child->nshared = parent->nshared;
    for (int i = 0; i < parent->nshared; i++) {
        child->shared[i] = parent->shared[i];
        child->shared[i]->refs++;
    }
}

// vm is being freed (its PTEs are gone): drop its shared segments.
void
dyn_release(struct vmspace *vm)
{
    for (int i = 0; i < vm->nshared; i++)
        shared_put(vm->shared[i]);
    vm->nshared = 0;
    vm->lib_end = 0;
}

// The frames every shared segment in memory holds (vmstat).
uint32_t
dyn_shared_frames(void)
{
    uint32_t n = 0;
    for (struct shared *sh = shared; sh < &shared[NSHARED]; sh++)
        n += sh->refs ? sh->npages : 0;
    return n;
}

// ---- reading the new image ----

// Is [va, va + n) inside object o?
static int
inside(struct object *o, uint32_t va, uint32_t n)
{
    return va >= o->lo && va + n >= va && va + n <= o->hi;
}

// Is a table of n bytes at va all inside o (an empty one is fine anywhere)?
static int
table_ok(struct object *o, uint32_t va, uint32_t n)
{
    return n == 0 || inside(o, va, n);
}

// Read n bytes at va of object o from the new image: 0, or -ENOEXEC (and
// the line) if they are not all inside o.
static int
rd(struct linker *l, struct object *o, uint32_t va, void *dst, uint32_t n)
{
    if (!inside(o, va, n) || uvm_copyin(l->vm, dst, va, n) < 0)
        return fail(l, -ENOEXEC, "a table runs past its object", o->name);
    return 0;
}

// The NUL-terminated string at offset off of o's string table, into buf
// (SYMNAME_MAX bytes). 0 or -ENOEXEC.
static int
rd_string(struct linker *l, struct object *o, uint32_t off, char *buf)
{
    for (uint32_t i = 0; i < SYMNAME_MAX; i++) {
        if (off + i >= o->strsz || rd(l, o, o->strtab + off + i, &buf[i], 1) < 0)
            return fail(l, -ENOEXEC, "a name runs past its string table", o->name);
        if (!buf[i])
            return 0;
    }
    return fail(l, -ENOEXEC, "a name too long", o->name);
}

// Symbol idx of o into s. 0 or -ENOEXEC.
static int
rd_sym(struct linker *l, struct object *o, uint32_t idx, struct sym *s)
{
    if (idx >= o->nsyms)
        return fail(l, -ENOEXEC, "a symbol index past the symbol table", o->name);
    return rd(l, o, o->symtab + idx * sizeof(*s), s, sizeof(*s));
}

// ---- the dynamic section ----

// Record one dynamic entry of o (addresses relocated by o's base). 0, or
// -ENOEXEC for an entry this linker refuses.
static int
dyn_entry(struct linker *l, struct object *o, struct dyn *d)
{
    uint32_t a = o->base + d->val;
    switch (d->tag) {
    case DT_NEEDED:
        if (o->nneeded == MAX_NEEDED)
            return fail(l, -ENOEXEC, "too many libraries needed", o->name);
        o->needed[o->nneeded++] = d->val;
        break;
    case DT_HASH: o->hash = a; break;
    case DT_STRTAB: o->strtab = a; break;
    case DT_SYMTAB: o->symtab = a; break;
    case DT_STRSZ: o->strsz = d->val; break;
    case DT_REL: o->rel = a; break;
    case DT_RELSZ: o->relsz = d->val; break;
    case DT_JMPREL: o->jmprel = a; break;
    case DT_PLTRELSZ: o->pltrelsz = d->val; break;
    case DT_SYMENT:
    case DT_RELENT:
        if (d->val != (d->tag == DT_SYMENT ? sizeof(struct sym) : sizeof(struct rel)))
            return fail(l, -ENOEXEC, "a table entry of an unknown size", o->name);
        break;
    case DT_PLTREL:
        if (d->val != DT_REL)
            return fail(l, -ENOEXEC, "RELA relocations (i386 uses REL)", o->name);
        break;
    case DT_TEXTREL:
        return fail(l, -ENOEXEC, "relocations in its text, which every process shares", o->name);
    }
    return 0;
}

// Read o's dynamic section, [va, va + size), and check its tables: each
// must lie inside o. The hash table gives the symbol count (its nchain).
static int
dyn_parse(struct linker *l, struct object *o, uint32_t va, uint32_t size)
{
    struct dyn d;
    int r = 0;
    for (uint32_t i = 0; r == 0 && i < MIN(size / sizeof(d), MAX_DYN); i++) {
        r = rd(l, o, va + i * sizeof(d), &d, sizeof(d));
        if (r == 0 && d.tag == DT_NULL)
            break;
        if (r == 0)
            r = dyn_entry(l, o, &d);
    }
    if (r < 0)
        return r;
    if (o->symtab && !o->hash)
        return fail(l, -ENOEXEC, "symbols but no hash table (link with --hash-style=sysv)", o->name);
    uint32_t counts[2] = {0, 0}; // nbucket, nchain
    if (o->hash && (r = rd(l, o, o->hash, counts, sizeof(counts))) < 0)
        return r;
    o->nbucket = counts[0], o->nsyms = counts[1];
    if (o->nsyms > (1u << 16) || o->nbucket > o->nsyms + 1 || (o->hash && !o->nbucket))
        return fail(l, -ENOEXEC, "a hash table of impossible size", o->name);
    if (!table_ok(o, o->hash, o->hash ? 8 + 4 * (o->nbucket + o->nsyms) : 0) ||
        !table_ok(o, o->symtab, o->nsyms * sizeof(struct sym)) || !table_ok(o, o->strtab, o->strsz) ||
        !table_ok(o, o->rel, o->relsz) || !table_ok(o, o->jmprel, o->pltrelsz))
        return fail(l, -ENOEXEC, "a dynamic table runs past its object", o->name);
    return 0;
}

// ---- mapping a library ----

// Check a library's PT_LOAD headers: each well formed and inside the
// library's span, in address order, and no two sharing a page (its
// read-only pages are shared, its writable ones private). 0 or -ENOEXEC.
static int
lib_check_segments(struct linker *l, const char *name, struct proghdr *ph, int n, uint32_t size)
{
    uint32_t end = 0;
    for (int i = 0; i < n; i++) {
        if (ph[i].memsz < ph[i].filesz || ph[i].vaddr % PGSIZE != ph[i].off % PGSIZE ||
            ph[i].vaddr + ph[i].memsz < ph[i].vaddr || ph[i].vaddr + ph[i].memsz > LIB_MAX_SIZE)
            return fail(l, -ENOEXEC, "a malformed segment", name);
        if (ph[i].off + ph[i].filesz < ph[i].off || ph[i].off + ph[i].filesz > size)
            return fail(l, -ENOEXEC, "a segment past the end of the file", name);
        if (i > 0 && PGROUNDDOWN(ph[i].vaddr) < end)
            return fail(l, -ENOEXEC, "segments out of order or sharing a page", name);
        end = PGROUNDUP(ph[i].vaddr + ph[i].memsz);
    }
    return n ? 0 : fail(l, -ENOEXEC, "no segment to load", name);
}

// Map library segment ph of ip at base: a read-only one shared (its pages
// PTE_SHARED, the frames the library's), a writable one private, read from
// the file (exec.c elf_load_segment). 0 or a negative errno.
static int
lib_map_segment(struct linker *l, struct object *o, struct inode *ip, struct proghdr *ph)
{
    struct vmspace *vm = l->vm;
    uint32_t start = o->base + PGROUNDDOWN(ph->vaddr), stop = o->base + PGROUNDUP(ph->vaddr + ph->memsz);
    if (ph->flags & PF_W) {
        if (o->nrw == MAX_SEGS)
            return fail(l, -ENOEXEC, "too many writable segments", o->name);
        o->rw_lo[o->nrw] = start, o->rw_hi[o->nrw++] = stop;
        int r = elf_load_segment(vm, ip, ph, o->base);
        return r < 0 ? fail(l, r, "cannot load a segment", o->name) : 0;
    }
    if (vm->nshared == MAX_SHARED)
        return fail(l, -ENOEXEC, "too many shared segments", o->name);
    struct shared *sh = shared_get(ip, PGROUNDDOWN(ph->off), (stop - start) / PGSIZE, ph->off,
                                   ph->off + ph->filesz);
    if (!sh)
        return fail(l, -ENOMEM, "no memory for its shared pages", o->name);
    vm->shared[vm->nshared++] = sh;
    for (uint32_t i = 0; i < sh->npages; i++)
        if (uvm_map(vm->pgdir, start + i * PGSIZE, sh->frames[i], PTE_U | PTE_SHARED) < 0)
            return fail(l, -ENOMEM, "no memory for its page tables", o->name);
    return 0;
}

// Map the library ip (already checked to be an i386 ELF shared object with
// header eh) as object o: at the next free place from LIBBASE, every
// PT_LOAD segment, then its dynamic section read. 0 or a negative errno.
static int
lib_map(struct linker *l, struct object *o, struct inode *ip, struct elfhdr *eh)
{
    struct proghdr ph[MAX_PHDRS], load[MAX_SEGS];
    int nload = 0;
    uint32_t dyn = 0, dynsz = 0;
    if (eh->phnum > MAX_PHDRS ||
        fs_read(ip, eh->phoff, ph, eh->phnum * sizeof(ph[0])) != (int)(eh->phnum * sizeof(ph[0])))
        return fail(l, -ENOEXEC, "program headers past the end of the file", o->name);
    for (int i = 0; i < eh->phnum; i++) {
        if (ph[i].type == PT_LOAD && ph[i].memsz && nload == MAX_SEGS)
            return fail(l, -ENOEXEC, "too many segments", o->name);
        if (ph[i].type == PT_LOAD && ph[i].memsz)
            load[nload++] = ph[i];
        if (ph[i].type == PT_DYNAMIC)
            dyn = ph[i].vaddr, dynsz = ph[i].memsz;
    }
    int r = lib_check_segments(l, o->name, load, nload, inode_size(ip));
    if (r < 0)
        return r;
    uint32_t span = PGROUNDUP(load[nload - 1].vaddr + load[nload - 1].memsz);
    if (l->next + span > LIBTOP)
        return fail(l, -ENOMEM, "no room left for libraries", o->name);
    o->base = o->lo = l->next;
    o->hi = l->next + span;
    l->next = l->vm->lib_end = o->hi;
    for (int i = 0; r == 0 && i < nload; i++)
        r = lib_map_segment(l, o, ip, &load[i]);
    if (r == 0 && !dyn)
        r = fail(l, -ENOEXEC, "no dynamic section", o->name);
    return r < 0 ? r : dyn_parse(l, o, o->base + dyn, dynsz);
}

// Find /lib/NAME and map it as a new object. It must be an i386 ELF shared
// library, and from a trusted tree if the process is Smode (ring 0 runs
// it). Returns the object, or 0 with *err set.
static struct object *
lib_load(struct linker *l, const char *name, int *err)
{
    char path[PATH_MAX];
    struct elfhdr eh;
    if (!name[0] || strlen(name) > NAME_MAX || strstr(name, "/") || l->nobjs == MAX_OBJS) {
        *err = fail(l, -ENOEXEC, "a bad library name, or too many libraries", name);
        return 0;
    }
    snprintk(path, sizeof(path), "/lib/%s", name);
    struct inode *ip = fs_lookup(0, path);
    if (!ip) {
        *err = fail(l, -ENOENT, "no such library", path);
        return 0;
    }
    struct object *o = &l->objs[l->nobjs++];
    strlcpy(o->name, name, sizeof(o->name));
    if (inode_type(ip) != T_FILE || fs_read(ip, 0, &eh, sizeof(eh)) != sizeof(eh) ||
        eh.magic != ELF_MAGIC || eh.class != ELFCLASS32 || eh.machine != EM_386 || eh.type != ET_DYN)
        *err = fail(l, -ENOEXEC, "not an i386 ELF shared library", path);
    else if (!inode_trusted(ip) && l->smode)
        *err = fail(l, -EPERM, "an Smode process may use only trusted libraries", path);
    else
        *err = lib_map(l, o, ip, &eh);
    l->trusted &= inode_trusted(ip);
    inode_put(ip); // the shared segments hold their own references
    return *err < 0 ? 0 : o;
}

// Load the libraries o needs, and theirs, depth first; a library already
// loaded is used again, one still loading its own (an ancestor) is a loop.
static int
load_needed(struct linker *l, struct object *o)
{
    char name[SYMNAME_MAX];
    o->loading = 1;
    for (int i = 0; i < o->nneeded; i++) {
        int r = rd_string(l, o, o->needed[i], name);
        if (r < 0)
            return r;
        struct object *dep = 0;
        for (int j = 1; j < l->nobjs && !dep; j++)
            if (strcmp(l->objs[j].name, name) == 0)
                dep = &l->objs[j];
        if (dep && dep->loading)
            return fail(l, -ELOOP, "libraries that need each other in a loop", name);
        if (!dep && (!(dep = lib_load(l, name, &r)) || (r = load_needed(l, dep)) < 0))
            return r;
    }
    o->loading = 0;
    return 0;
}

// ---- symbols and relocations ----

// The SysV ELF hash of a symbol name (the System V ABI, "Hash Table").
static uint32_t
elf_hash(const char *name)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xF0000000u;
        h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

// Look name up in library o's hash table: its address in *addr and 1 if o
// defines it (a global or weak symbol), else 0; or a negative errno.
static int
lib_lookup(struct linker *l, struct object *o, const char *name, uint32_t *addr)
{
    char other[SYMNAME_MAX];
    uint32_t idx, steps = 0;
    struct sym s;
    int r = rd(l, o, o->hash + 8 + 4 * (elf_hash(name) % o->nbucket), &idx, 4);
    while (r == 0 && idx != 0) {
        if (++steps > o->nsyms)
            return fail(l, -ENOEXEC, "a hash chain that loops", o->name);
        if ((r = rd_sym(l, o, idx, &s)) < 0 || (r = rd_string(l, o, s.name, other)) < 0)
            return r;
        int bind = SYM_BIND(s.info);
        if (s.shndx != SHN_UNDEF && (bind == STB_GLOBAL || bind == STB_WEAK) &&
            strcmp(other, name) == 0) {
            *addr = o->base + s.value;
            return 1;
        }
        r = rd(l, o, o->hash + 8 + 4 * (o->nbucket + idx), &idx, 4);
    }
    return r;
}

// S, the address symbol idx of object o stands for: o's own definition if
// o is a library (every library is linked -Bsymbolic), else the first
// library's that defines it; 0 for an undefined weak symbol. 0 or an errno.
static int
sym_value(struct linker *l, struct object *o, uint32_t idx, uint32_t *value)
{
    char name[SYMNAME_MAX];
    struct sym s;
    int r;
    if ((r = rd_sym(l, o, idx, &s)) < 0 || (r = rd_string(l, o, s.name, name)) < 0)
        return r;
    if (s.shndx != SHN_UNDEF && o != &l->objs[0]) {
        *value = o->base + s.value;
        return 0;
    }
    for (int i = 1; i < l->nobjs; i++)
        if ((r = lib_lookup(l, &l->objs[i], name, value)) != 0)
            return r < 0 ? r : 0;
    if (SYM_BIND(s.info) == STB_WEAK) {
        *value = 0;
        return 0;
    }
    return fail(l, -ENOEXEC, "symbol not found", name);
}

// Apply one relocation of object o: the word at P = base + offset, inside
// one of o's writable segments, becomes S + A (R_386_32), S + A - P (PC32),
// S (GLOB_DAT, JMP_SLOT) or base + A (RELATIVE). 0 or -ENOEXEC.
static int
relocate_one(struct linker *l, struct object *o, struct rel *rel)
{
    uint32_t p = o->base + rel->offset, type = REL_TYPE(rel->info), a, s = 0, v;
    int writable = 0, r;
    for (int i = 0; i < o->nrw; i++)
        writable |= p >= o->rw_lo[i] && p + 4 > p && p + 4 <= o->rw_hi[i];
    if (type == R_386_NONE)
        return 0;
    if (!writable)
        return fail(l, -ENOEXEC, "a relocation outside its writable segments", o->name);
    if (type == R_386_COPY)
        return fail(l, -ENOEXEC, "a copy relocation: programs may not read library data", o->name);
    if (type != R_386_32 && type != R_386_PC32 && type != R_386_GLOB_DAT &&
        type != R_386_JMP_SLOT && type != R_386_RELATIVE) {
        char t[16];
        snprintk(t, sizeof(t), "type %u", type);
        return fail(l, -ENOEXEC, "an unknown relocation", t);
    }
    if (type != R_386_RELATIVE && (r = sym_value(l, o, REL_SYM(rel->info), &s)) < 0)
        return r;
    if ((r = rd(l, o, p, &a, 4)) < 0)
        return r;
    v = type == R_386_32 ? s + a : type == R_386_PC32 ? s + a - p
        : type == R_386_RELATIVE ? o->base + a : s;
    return uvm_load(l->vm, p, &v, 4) < 0 ? fail(l, -ENOEXEC, "a relocation it cannot write", o->name) : 0;
}

// Apply every relocation of o: DT_REL's, then the PLT's (DT_JMPREL).
static int
relocate(struct linker *l, struct object *o)
{
    const uint32_t table[2] = {o->rel, o->jmprel}, size[2] = {o->relsz, o->pltrelsz};
    for (int t = 0; t < 2; t++)
        for (uint32_t off = 0; off + sizeof(struct rel) <= size[t]; off += sizeof(struct rel)) {
            struct rel rel;
            int r = rd(l, o, table[t] + off, &rel, sizeof(rel));
            if (r < 0 || (r = relocate_one(l, o, &rel)) < 0)
                return r;
        }
    return 0;
}

// ---- the link ----

// The program as object 0: where its segments are, which are writable, and
// its dynamic section (dyn). Returns 1 if it has one, 0 if it is static, or
// -ENOEXEC.
static int
program_object(struct linker *l, struct inode *ip, struct elfhdr *eh, uint32_t *dyn, uint32_t *dynsz)
{
    struct object *o = &l->objs[l->nobjs++];
    struct proghdr ph;
    int has_dynamic = 0;
    strlcpy(o->name, "the program", sizeof(o->name));
    o->lo = 0xFFFFFFFFu;
    for (int i = 0; i < eh->phnum; i++) {
        if (fs_read(ip, eh->phoff + i * sizeof(ph), &ph, sizeof(ph)) != sizeof(ph))
            return fail(l, -ENOEXEC, "program headers past the end of the file", 0);
        if (ph.type == PT_DYNAMIC)
            *dyn = ph.vaddr, *dynsz = ph.memsz, has_dynamic = 1;
        if (ph.type != PT_LOAD || !ph.memsz)
            continue;
        o->lo = MIN(o->lo, PGROUNDDOWN(ph.vaddr));
        o->hi = MAX(o->hi, PGROUNDUP(ph.vaddr + ph.memsz));
        if ((ph.flags & PF_W) && o->nrw < MAX_SEGS)
            o->rw_lo[o->nrw] = PGROUNDDOWN(ph.vaddr), o->rw_hi[o->nrw++] = PGROUNDUP(ph.vaddr + ph.memsz);
    }
    return has_dynamic;
}

// Link the program ip (header eh, its segments already loaded into the new
// address space vm by exec) if it has a dynamic section: map the libraries
// it needs and bind every relocation. smode: the process is Smode (every
// library must be trusted); *trusted is cleared if a library is not.
// Returns 0 (a static program: nothing to do), or a negative errno with a
// line saying why; vm's mappings are then freed by the caller (uvm_free).
int
dyn_link(struct vmspace *vm, struct inode *ip, struct elfhdr *eh, const char *path, int smode,
         int *trusted)
{
    static struct linker l; // (big for the kernel stack; exec holds no lock, but a
                            // process never sleeps while linking: one link at a time)
    uint32_t dyn = 0, dynsz = 0;
    memset(&l, 0, sizeof(l));
    l.vm = vm, l.path = path, l.smode = smode, l.trusted = 1;
    l.next = vm->lib_end = LIBBASE;
    int r = program_object(&l, ip, eh, &dyn, &dynsz);
    if (r <= 0)
        return r;
    if ((r = dyn_parse(&l, &l.objs[0], dyn, dynsz)) < 0 || (r = load_needed(&l, &l.objs[0])) < 0)
        return r;
    for (int i = l.nobjs - 1; i >= 0; i--) // the libraries first, the program last
        if ((r = relocate(&l, &l.objs[i])) < 0)
            return r;
    *trusted &= l.trusted;
    return 0;
}
