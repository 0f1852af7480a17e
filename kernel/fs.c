// The file system: a writable tree of directories and files in memory,
// filled at boot from the initial image (a multiboot module that `make`
// builds with tools/mkfs.py from the user programs and data files).
// File data lives in whole frames; a directory is an array of entries.
// The image's system trees (/bin, /test, /lib) are read-only and trusted:
// nothing may change them, so a program loaded from them is the program the
// image shipped, and only such a program may run in ring 0 (mode.c).
#include "kernel.h"
#include "frame.h"
#include "mmu.h"
#include "multiboot.h"

struct dentry {
    char name[NAME_MAX + 1];
    struct inode *ip;
};

struct inode {
    uint32_t ino;
    int type;             // T_FILE, T_DIR
    uint32_t nlink;       // entries naming it (a directory: 1, or 0 once removed)
    uint32_t ref;         // references in use (open files, cwd, lookups)
    uint32_t size;        // file: bytes
    uint32_t **blocks;    // file: frames (kernel addresses), PGSIZE each
    uint32_t nblocks;     // file: capacity of blocks[]
    struct dentry *ents;  // directory: its entry slots; ip 0 marks a hole
    uint32_t nslots, cap; // directory: slots in use (holes included), capacity
    uint32_t nents;       // directory: live entries
    struct inode *parent; // directory: for ".."
    int trusted;          // from a system tree of the image: read-only (-EROFS)
};

static struct inode *root;
static uint32_t next_ino = 1;

// Files live in memory that nothing can page out, so one program writing
// files could otherwise take every frame from every process (and the kernel
// heap, creating entries): file data may use at most half the frames, and
// new entries stop while the heap is three-quarters full (-ENOSPC).
static uint32_t data_frames; // frames holding file data
#define DATA_FRAMES_MAX (frames_total() / 2)
#define HEAP_FOR_ENTRIES (heap_size / 4 * 3)

// Free the data frames of file ip (not the block array).
static void
free_blocks(struct inode *ip)
{
    for (uint32_t i = 0; i < ip->nblocks; i++)
        if (ip->blocks[i]) {
            frame_free_committed(V2P(ip->blocks[i]));
            ip->blocks[i] = 0;
            data_frames--;
        }
}

// A zeroed inode of type with the next inode number, no links and no
// references (the caller links it with dir_add and takes its own). 0 when the
// heap is full.
static struct inode *
inode_new(int type)
{
    struct inode *ip = kzalloc(sizeof(*ip));
    if (!ip)
        return 0;
    ip->ino = next_ino++;
    ip->type = type;
    return ip;
}

// Free ip and everything it holds: file frames, block and entry arrays. Only
// for an inode nothing names or uses any more; a directory must be empty.
static void
inode_destroy(struct inode *ip)
{
    ASSERT(ip->type != T_DIR || ip->nents == 0);
    free_blocks(ip);
    kfree(ip->blocks);
    kfree(ip->ents);
    kfree(ip);
}

// Take another reference to ip (0 is ignored); inode_put drops it.
void
inode_ref(struct inode *ip)
{
    if (ip)
        ip->ref++;
}

// Drop a reference; an inode no directory names and nobody uses is freed.
void
inode_put(struct inode *ip)
{
    if (!ip)
        return;
    ASSERT(ip->ref > 0);
    if (--ip->ref == 0 && ip->nlink == 0 && ip != root)
        inode_destroy(ip);
}

// Whether ip came from a trusted read-only system tree of the boot image.
int
inode_trusted(struct inode *ip)
{
    return ip->trusted;
}

// T_FILE or T_DIR.
int
inode_type(struct inode *ip)
{
    return ip->type;
}

// The size stat reports: a file's bytes; for a directory, its entry count
// times sizeof(struct dirent).
uint32_t
inode_size(struct inode *ip)
{
    return ip->type == T_DIR ? ip->nents * sizeof(struct dirent) : ip->size;
}

// Fill st for ip: inode number, type, link count, and inode_size.
void
fs_stat(struct inode *ip, struct stat *st)
{
    st->ino = ip->ino;
    st->type = (uint32_t)ip->type;
    st->nlink = ip->nlink;
    st->size = inode_size(ip);
}

// The entry of directory dir named name, or 0. "." and ".." have no entries:
// resolve handles them.
static struct dentry *
dir_find(struct inode *dir, const char *name)
{
    for (uint32_t i = 0; i < dir->nslots; i++)
        if (dir->ents[i].ip && strcmp(dir->ents[i].name, name) == 0)
            return &dir->ents[i];
    return 0;
}

// Add the entry name -> ip to dir (a live directory or the root), in its
// first hole or at the end, doubling the slot array when full; counts ip's
// new link and, for a directory, makes dir its parent. Callers have checked
// that name is new and fits NAME_MAX. Returns 0 or -ENOMEM.
static int
dir_add(struct inode *dir, const char *name, struct inode *ip)
{
    ASSERT(dir->nlink > 0 || dir == root);
    struct dentry *d = 0;
    for (uint32_t i = 0; i < dir->nslots && !d; i++)
        if (!dir->ents[i].ip)
            d = &dir->ents[i];
    if (!d && dir->nslots == dir->cap) {
        uint32_t cap = dir->cap ? dir->cap * 2 : 8;
        struct dentry *e = kmalloc(cap * sizeof(*e));
        if (!e)
            return -ENOMEM;
        memcpy(e, dir->ents, dir->nslots * sizeof(*e));
        kfree(dir->ents);
        dir->ents = e;
        dir->cap = cap;
    }
    if (!d)
        d = &dir->ents[dir->nslots++];
    dir->nents++;
    strlcpy(d->name, name, sizeof(d->name));
    d->ip = ip;
    ip->nlink++;
    if (ip->type == T_DIR)
        ip->parent = dir;
    return 0;
}

// Remove entry d from dir and count the link ip loses (ip may then be
// unnamed; the caller frees it or links it again). Leaves a hole: an open
// directory's offset is a slot index, so moving entries would make a reader
// in the middle of a listing skip some.
static void
dir_remove(struct inode *dir, struct dentry *d)
{
    d->ip->nlink--;
    d->ip = 0;
    d->name[0] = 0;
    dir->nents--;
    while (dir->nslots > 0 && !dir->ents[dir->nslots - 1].ip)
        dir->nslots--; // holes at the end go
}

// ip lost a name: a directory loses its parent, and an inode no directory
// names and nobody uses is freed (an open file lives on until its last close).
static void
unnamed(struct inode *ip)
{
    if (ip->type == T_DIR && ip->nlink == 0)
        ip->parent = 0;
    if (ip->nlink == 0 && ip->ref == 0)
        inode_destroy(ip);
}

// Copy the next path component of *path into name and advance *path.
// Returns 0 at the end, -ENAMETOOLONG, or 1.
static int
next_component(const char **path, char *name)
{
    const char *p = *path;
    while (*p == '/')
        p++;
    if (!*p)
        return 0;
    const char *start = p;
    while (*p && *p != '/')
        p++;
    if (p - start > NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(name, start, p - start);
    name[p - start] = 0;
    *path = p;
    return 1;
}

// Resolve path (absolute, or relative to cwd). With parent_only, stop at
// the last component: return its directory and copy the name into last.
static struct inode *
resolve(struct inode *cwd, const char *path, int parent_only, char *last)
{
    struct inode *ip = path[0] == '/' || !cwd ? root : cwd;
    char name[NAME_MAX + 1];
    for (;;) {
        int r = next_component(&path, name);
        if (r <= 0)
            return r == 0 && !parent_only ? ip : 0;
        if (ip->type != T_DIR)
            return 0;
        if (parent_only) { // is this the last component?
            const char *rest = path;
            while (*rest == '/')
                rest++;
            if (!*rest) {
                strlcpy(last, name, NAME_MAX + 1);
                return ip;
            }
        }
        if (strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0) {
            ip = ip->parent ? ip->parent : root;
            continue;
        }
        struct dentry *d = dir_find(ip, name);
        if (!d)
            return 0;
        ip = d->ip;
    }
}

// Whether path ends in '/': then its last name must be a directory.
static int
trailing_slash(const char *path)
{
    size_t n = strlen(path);
    return n > 0 && path[n - 1] == '/';
}

// The inode at path, with a reference the caller must inode_put; or 0 (also
// for a file named with a trailing '/').
struct inode *
fs_lookup(struct inode *cwd, const char *path)
{
    struct inode *ip = resolve(cwd, path, 0, 0);
    if (ip && ip->type != T_DIR && trailing_slash(path))
        return 0;
    inode_ref(ip);
    return ip;
}

// The directory that is to hold a new or changed entry for path, with that
// entry's name in name: 0 and *err set when there is none (-ENOENT: no such
// directory, or a removed one, which stays empty even while it is someone's
// cwd) or name is "." or ".." (-EINVAL).
static struct inode *
entry_dir(struct inode *cwd, const char *path, char *name, int *err)
{
    struct inode *dir = resolve(cwd, path, 1, name);
    if (!dir || dir->type != T_DIR || (dir->nlink == 0 && dir != root)) {
        *err = -ENOENT;
        return 0;
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        *err = -EINVAL;
        return 0;
    }
    return dir;
}

// Create a file or directory at path; an existing file is returned as it is
// (open with O_CREAT). Returns it with a reference, or 0 with *err set:
// -ENOENT (no such directory, or a removed one), -EEXIST, -EISDIR (a file
// named "name/", or a directory there), -ENOSPC (heap for entries used up),
// -ENOMEM.
struct inode *
fs_create(struct inode *cwd, const char *path, int type, int *err)
{
    char name[NAME_MAX + 1];
    struct inode *dir = entry_dir(cwd, path, name, err);
    if (!dir) {
        if (*err == -EINVAL)
            *err = -EEXIST; // "." and ".." always exist
        return 0;
    }
    if (type == T_FILE && trailing_slash(path)) {
        *err = -EISDIR; // "name/" can only be a directory
        return 0;
    }
    struct dentry *d = dir_find(dir, name);
    if (!d && dir->trusted) {
        *err = -EROFS; // no new names in a system tree
        return 0;
    }
    if (d) {
        if (type == T_FILE && d->ip->type == T_FILE) {
            inode_ref(d->ip);
            return d->ip;
        }
        *err = d->ip->type == T_DIR && type == T_FILE ? -EISDIR : -EEXIST;
        return 0;
    }
    if (kheap_used() > HEAP_FOR_ENTRIES) {
        *err = -ENOSPC; // keep the heap for kernel stacks and file tables
        return 0;
    }
    struct inode *ip = inode_new(type);
    if (!ip || dir_add(dir, name, ip) < 0) {
        kfree(ip);
        *err = -ENOMEM;
        return 0;
    }
    inode_ref(ip);
    return ip;
}

// Remove the entry at path: a file, or an empty directory. 0, or -ENOENT,
// -EINVAL ("." or ".."), -ENOTDIR (a file named "name/"), -ENOTEMPTY, -EROFS
// (in or of a system tree).
int
fs_unlink(struct inode *cwd, const char *path)
{
    char name[NAME_MAX + 1];
    // (not entry_dir: "." and ".." are -EINVAL here even in a removed
    // directory, which entry_dir calls -ENOENT first; a removed directory
    // is empty, so any other name is -ENOENT below all the same)
    struct inode *dir = resolve(cwd, path, 1, name);
    if (!dir || dir->type != T_DIR)
        return -ENOENT;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return -EINVAL;
    struct dentry *d = dir_find(dir, name);
    if (!d)
        return -ENOENT;
    struct inode *ip = d->ip;
    if (ip->type != T_DIR && trailing_slash(path))
        return -ENOTDIR;
    if (dir->trusted || ip->trusted)
        return -EROFS;
    if (ip->type == T_DIR && ip->nents > 0)
        return -ENOTEMPTY;
    dir_remove(dir, d);
    unnamed(ip);
    return 0;
}

// link(old, new): a second name new for the file old. 0, or -ENOENT (no old,
// no directory for new), -EEXIST (new exists, or is "." or ".."), -EPERM (old
// is a directory: links to directories would make the tree a graph),
// -ENOTDIR (a file named "name/"), -EROFS (new in a system tree, or old in
// one: trusted inodes stay in their tree), -ENOSPC, -ENOMEM.
int
fs_link(struct inode *cwd, const char *old, const char *new)
{
    struct inode *ip = resolve(cwd, old, 0, 0);
    if (!ip)
        return -ENOENT;
    if (ip->type == T_DIR)
        return -EPERM;
    if (trailing_slash(old) || trailing_slash(new))
        return -ENOTDIR;
    char name[NAME_MAX + 1];
    int err;
    struct inode *dir = entry_dir(cwd, new, name, &err);
    if (!dir)
        return err == -EINVAL ? -EEXIST : err;
    if (dir_find(dir, name))
        return -EEXIST;
    if (dir->trusted || ip->trusted)
        return -EROFS;
    if (kheap_used() > HEAP_FOR_ENTRIES)
        return -ENOSPC;
    return dir_add(dir, name, ip);
}

// rename(old, new): give the entry old the name new, in one step: nobody
// ever sees new missing, nor both names at once (for a file that had only
// old). An existing new is replaced: a file by a file, an empty directory by
// a directory. Renaming to a name of the same inode does nothing. 0, or
// -ENOENT, -EINVAL ("." or "..", or a directory into its own subtree),
// -EISDIR (a file over a directory), -ENOTDIR (a directory over a file, or a
// file named "name/"), -ENOTEMPTY, -EROFS (into, out of or over a system
// tree), -ENOSPC, -ENOMEM.
int
fs_rename(struct inode *cwd, const char *old, const char *new)
{
    char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
    int err;
    struct inode *odir = entry_dir(cwd, old, oname, &err);
    if (!odir)
        return err;
    struct dentry *od = dir_find(odir, oname);
    if (!od)
        return -ENOENT;
    struct inode *ip = od->ip;
    struct inode *ndir = entry_dir(cwd, new, nname, &err);
    if (!ndir)
        return err;
    if (ip->type != T_DIR && (trailing_slash(old) || trailing_slash(new)))
        return -ENOTDIR;
    struct dentry *nd = dir_find(ndir, nname);
    struct inode *victim = nd ? nd->ip : 0;
    if (victim == ip)
        return 0; // the same inode already has both names: POSIX says do nothing
    if (odir->trusted || ndir->trusted || ip->trusted || (victim && victim->trusted))
        return -EROFS;
    if (ip->type == T_DIR)
        for (struct inode *a = ndir; a; a = a->parent)
            if (a == ip)
                return -EINVAL; // it would hold itself, cut off from the root
    if (victim && victim->type == T_DIR && ip->type != T_DIR)
        return -EISDIR;
    if (victim && victim->type != T_DIR && ip->type == T_DIR)
        return -ENOTDIR;
    if (victim && victim->type == T_DIR && victim->nents > 0)
        return -ENOTEMPTY;
    if (!victim) {
        // The only step that can fail comes first: a new entry (dir_add may
        // move ndir's slots, so find od again afterwards, by name).
        if (kheap_used() > HEAP_FOR_ENTRIES)
            return -ENOSPC;
        if (dir_add(ndir, nname, ip) < 0)
            return -ENOMEM;
        od = dir_find(odir, oname); // (names are unique, and nname != oname)
    } else { // reuse the victim's slot: nothing to allocate
        victim->nlink--;
        nd->ip = ip;
        ip->nlink++;
        if (ip->type == T_DIR)
            ip->parent = ndir;
    }
    dir_remove(odir, od);
    if (victim)
        unnamed(victim);
    return 0;
}

// Read up to n bytes at off into kernel buffer dst; returns the count.
int
fs_read(struct inode *ip, uint32_t off, void *dst, uint32_t n)
{
    if (ip->type != T_FILE)
        return -EISDIR;
    if (off >= ip->size)
        return 0;
    n = MIN(n, ip->size - off);
    for (uint32_t done = 0; done < n;) {
        uint32_t b = (off + done) / PGSIZE, in = (off + done) % PGSIZE;
        uint32_t c = MIN(n - done, PGSIZE - in);
        if (ip->blocks[b])
            memcpy((char *)dst + done, (char *)ip->blocks[b] + in, c);
        else
            memset((char *)dst + done, 0, c); // a hole
        done += c;
    }
    return (int)n;
}

// Write n bytes from kernel buffer src at off, growing the file. Returns n,
// the bytes written before frames ran out (a short write), -ENOMEM (no heap
// for the block array) or -ENOSPC (no frame, the file-data limit, or a size
// past the 64 MiB a file may hold).
int
fs_write(struct inode *ip, uint32_t off, const void *src, uint32_t n)
{
    if (ip->type != T_FILE)
        return -EISDIR;
    if (off + n < off || off + n > (64u << 20))
        return -ENOSPC;
    uint32_t need = PGROUNDUP(off + n) / PGSIZE;
    if (need > ip->nblocks) {
        uint32_t cap = need > ip->nblocks * 2 ? need : ip->nblocks * 2;
        uint32_t **b = kzalloc(cap * sizeof(*b));
        if (!b)
            return -ENOMEM;
        memcpy(b, ip->blocks, ip->nblocks * sizeof(*b));
        kfree(ip->blocks);
        ip->blocks = b;
        ip->nblocks = cap;
    }
    for (uint32_t done = 0; done < n;) {
        uint32_t b = (off + done) / PGSIZE, in = (off + done) % PGSIZE;
        uint32_t c = MIN(n - done, PGSIZE - in);
        if (!ip->blocks[b]) {
            uint32_t pa = data_frames < DATA_FRAMES_MAX ? frame_alloc_committed() : 0;
            if (!pa) // (the allocation may page out user memory)
                return done ? (int)done : -ENOSPC;
            ip->blocks[b] = P2V(pa);
            data_frames++;
        }
        memcpy((char *)ip->blocks[b] + in, (const char *)src + done, c);
        done += c;
        if (off + done > ip->size)
            ip->size = off + done;
    }
    return (int)n;
}

// Empty the file ip: its data frames are freed, the block array keeps its
// capacity. Returns 0 (it cannot fail).
int
fs_truncate(struct inode *ip)
{
    free_blocks(ip);
    ip->size = 0;
    return 0;
}

// Copy up to max entries of dir, starting at slot *pos, into out (zeroed
// first: they go to a program); skips holes and advances *pos past what it
// copied. Returns the number copied (0 at the end). An entry added or
// removed meanwhile may or may not be seen; every other one is, once.
int
fs_getdents(struct inode *dir, uint32_t *pos, struct dirent *out, uint32_t max)
{
    uint32_t n = 0;
    for (; n < max && *pos < dir->nslots; (*pos)++) {
        struct dentry *d = &dir->ents[*pos];
        if (!d->ip)
            continue;
        memset(&out[n], 0, sizeof(out[n]));
        out[n].ino = d->ip->ino;
        strlcpy(out[n].name, d->name, sizeof(out[n].name));
        n++;
    }
    return (int)n;
}

// Where a directory listing ends: the slot count (holes included), for
// lseek(SEEK_END) on a directory.
uint32_t
fs_dir_end(struct inode *dir)
{
    return dir->nslots;
}

// ---- loading the initial image ----
// Format (tools/mkfs.py): "DMSMFS01", u32 count, then count records of
// u32 type, u32 path length, u32 data length, path, data, padding to 4.
#define IMAGE_MAGIC "DMSMFS01"

struct image_rec {
    uint32_t type, pathlen, datalen;
};

// The system trees of the image: read-only, and the only programs that may
// run in ring 0 (the trust rule, docs/dmsm.md).
static const char *const system_trees[] = {"bin", "test", "lib"};

// Mark ip and everything under it trusted (and so read-only). Boot only.
static void
mark_trusted(struct inode *ip)
{
    ip->trusted = 1;
    for (uint32_t i = 0; ip->type == T_DIR && i < ip->nslots; i++)
        if (ip->ents[i].ip)
            mark_trusted(ip->ents[i].ip);
}

// Create the root and fill the tree from the first multiboot module (the
// mkfs.py image, each directory before its contents), mark its system trees
// trusted, then give the image's frames back. Boot only; panics on a malformed image or when memory runs out.
// Without a module the tree is just an empty root.
void
fs_init(struct multiboot_info *mbi)
{
    root = inode_new(T_DIR);
    root->nlink = 1;
    root->ref = 1;
    if (!(mbi->flags & MBI_MODS) || mbi->mods_count == 0) {
        printk("fs: no file-system image was loaded: the file system is empty\n");
        return;
    }
    struct multiboot_module *mod = P2V(mbi->mods_addr);
    const uint8_t *img = P2V(mod[0].start), *end = P2V(mod[0].end);
    if (end - img < 12 || memcmp(img, IMAGE_MAGIC, 8) != 0)
        panic("fs: the first boot module is not a file-system image");
    uint32_t count = *(const uint32_t *)(img + 8), files = 0, bytes = 0;
    const uint8_t *p = img + 12;
    for (uint32_t i = 0; i < count; i++) {
        const struct image_rec *rec = (const void *)p;
        if ((uint32_t)(end - p) < sizeof(*rec))
            panic("fs: image record %u is truncated", i);
        p += sizeof(*rec);
        uint32_t left = (uint32_t)(end - p);
        if (rec->pathlen >= PATH_MAX || rec->pathlen > left || rec->datalen > left - rec->pathlen)
            panic("fs: image record %u is truncated", i);
        char path[PATH_MAX];
        memcpy(path, p, rec->pathlen);
        path[rec->pathlen] = 0;
        p += rec->pathlen;
        int err = 0;
        struct inode *ip = fs_create(root, path, (int)rec->type, &err);
        if (!ip)
            panic("fs: cannot create %s from the image (%d)", path, err);
        if (rec->datalen && fs_write(ip, 0, p, rec->datalen) != (int)rec->datalen)
            panic("fs: no memory for %s", path);
        inode_put(ip);
        p += (rec->datalen + 3) & ~3u;
        files++;
        bytes += rec->datalen;
    }
    for (uint32_t i = 0; i < ARRAY_SIZE(system_trees); i++) {
        struct dentry *d = dir_find(root, system_trees[i]);
        if (d)
            mark_trusted(d->ip);
    }
    printk("fs: %u entries, %u KiB loaded from the image\n", files, bytes / 1024);
    frame_release(mod[0].start, mod[0].end); // the image itself is no longer needed
}
