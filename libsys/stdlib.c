// libsys: the heap (malloc and friends), number conversion, exit, rand.
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ctype.h>
#include <unistd.h>

// ---- the heap ----
// The heap is a run of blocks from heap_lo up to top; above them, from top to
// the break (heap_end), lies the wilderness: free memory not yet cut into
// blocks. Every block starts with an 8-byte header (struct block). Three
// rules keep malloc and free near constant time, whatever the load:
// - Boundary tags. A free block also ends with a copy of its size (the
//   footer), and every header records whether the block just below is in
//   use (PREV_USED). So free finds both neighbours at once and merges it
//   with them: no two free blocks ever touch, and a free block never
//   touches the wilderness (it is merged into it).
// - Segregated free lists. Free blocks are kept in one list per size class,
//   a power of two (class k: sizes 2^k .. 2^(k+1)-1), with a bitmap of the
//   classes that are not empty. malloc looks at no more than FIT_TRIES
//   blocks of the request's own class, then takes the first block of the
//   next larger non-empty class (any of those fits): a bit scan, not a walk.
// - The wilderness. When no free block fits, the block is cut from the
//   bottom of the wilderness, which sbrk grows (in steps of at least
//   MIN_GROW) without leaving a piece behind. When free makes the
//   wilderness larger than TRIM_AT, a negative sbrk gives all but KEEP of it
//   back to the kernel. The wilderness always keeps room for one header
//   (heap_end - top >= HDR once there is a heap): if something else moves
//   the break, grow() turns the old wilderness into a block in use no one
//   owns, so that the block below it never takes foreign memory above for
//   a neighbour's header. So a cut from the wilderness, or a block growing
//   into it, leaves HDR bytes behind, and trim keeps KEEP >= HDR.
// Only the header of a block in use is written, so a fresh block touches
// one page (this matters for Umode, whose heap pages arrive on first touch).
// The tag word of each header holds TAG_USED or TAG_FREE mixed with the
// block's address; free and realloc check it, and abort with a message on
// a pointer malloc did not return or a block freed twice.
struct block {
    size_t size; // bytes in the whole block, header included, | USED | PREV_USED
    size_t tag;  // TAG_USED or TAG_FREE, xor the block's own address
    // A free block only (in a block in use, this is where the data starts):
    struct block *next, *prev; // its neighbours in its size class's list
    // ... and the footer: the last size_t of a free block is its size.
};

#define ALIGN 8
#define HDR (2 * sizeof(size_t))  // what a block in use spends on the header
#define MIN_BLOCK 24              // header, two links, footer; a multiple of 8
#define USED 1u                   // flag bits in size (sizes are multiples of 8)
#define PREV_USED 2u
#define FLAGS (USED | PREV_USED)
#define TAG_USED 0x55534544u      // "USED"
#define TAG_FREE 0x46524545u      // "FREE"
#define NCLASS 32
#define FIT_TRIES 4               // blocks of the request's own class looked at
#define MIN_GROW (16 * 1024)      // grow the wilderness by at least this much
#define TRIM_AT (64 * 1024)       // give the wilderness back above this ...
#define KEEP (16 * 1024)          // ... down to this
#define MAX_REQUEST 0x7fff0000u   // keeps the size arithmetic from wrapping

_Static_assert(offsetof(struct block, next) == HDR, "the data starts after size and tag");
_Static_assert(sizeof(struct block) + sizeof(size_t) <= MIN_BLOCK, "MIN_BLOCK too small");
_Static_assert(KEEP >= HDR, "trim must leave the wilderness room for a header");

static struct block *lists[NCLASS]; // the free blocks of each size class
static unsigned int nonempty;       // bit k: lists[k] is not empty
static char *heap_lo;               // the lowest block (NULL: no heap yet)
static char *top;                   // the wilderness, up to heap_end
static char *heap_end;              // the break as malloc last left it

// The size of block b, without the flag bits.
static size_t
bsize(struct block *b)
{
    return b->size & ~(size_t)FLAGS;
}

// The block whose header is at p.
static struct block *
at(void *p)
{
    return (struct block *)p;
}

// The tag word of block b in the state tag (TAG_USED or TAG_FREE).
static size_t
tag_of(struct block *b, size_t tag)
{
    return tag ^ (size_t)b;
}

// floor(log2(size)): the size class of a free block of this size.
static int
class_of(size_t size)
{
    return 31 - __builtin_clz(size);
}

// Marks b (size bytes, whose lower neighbour is in use) free: flags, tag,
// footer. The caller puts it in a list or into the wilderness.
static void
set_free(struct block *b, size_t size)
{
    b->size = size | PREV_USED;
    b->tag = tag_of(b, TAG_FREE);
    ((size_t *)((char *)b + size))[-1] = size;
}

// Puts free block b at the head of its class's list.
static void
list_insert(struct block *b)
{
    int k = class_of(bsize(b));
    b->prev = NULL;
    b->next = lists[k];
    if (b->next)
        b->next->prev = b;
    lists[k] = b;
    nonempty |= 1u << k;
}

// Takes free block b out of its class's list (its size must not have changed).
static void
list_remove(struct block *b)
{
    int k = class_of(bsize(b));
    if (b->prev)
        b->prev->next = b->next;
    else
        lists[k] = b->next;
    if (b->next)
        b->next->prev = b->prev;
    if (!lists[k])
        nonempty &= ~(1u << k);
}

// A free block of at least need bytes, taken out of its list, or NULL.
static struct block *
find_fit(size_t need)
{
    int k = class_of(need), tries = 0;
    struct block *fit = NULL;
    for (struct block *b = lists[k]; b && !fit && tries < FIT_TRIES; b = b->next, tries++)
        if (bsize(b) >= need)
            fit = b;
    // Every block of a larger class fits: take the first of the smallest.
    unsigned int larger = nonempty & ~((2u << k) - 1);
    if (!fit && larger)
        fit = lists[__builtin_ctz(larger)];
    if (fit)
        list_remove(fit);
    return fit;
}

// Stops the program: the heap's own bookkeeping broke the rule why.
static void __attribute__((noreturn))
heap_broken(const char *why)
{
    eprintf("malloc: heap invariant broken: %s\n", why);
    abort();
}

// The wilderness can take a block of need bytes and keep room for a header.
static int
wilderness_fits(size_t need)
{
    return (size_t)(heap_end - top) >= need + HDR;
}

// Grows the wilderness to at least need bytes. Returns 0, or -1 when sbrk
// refuses. If something else moved the break since, the old wilderness is
// left behind as a block in use (lost) and a new one starts at the break.
// Callers ask for what they take plus HDR (the wilderness's header room).
static int
grow(size_t need)
{
    char *p = sbrk(0);
    if (sbrk_failed(p))
        return -1;
    int fresh = p != heap_end; // the first call, or the break was moved
    size_t pad = fresh ? (ALIGN - (size_t)p % ALIGN) % ALIGN : 0;
    size_t want = fresh ? need : need - (size_t)(heap_end - top);
    want = want < MIN_GROW ? MIN_GROW : (want + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (want + pad > MAX_REQUEST || sbrk_failed(sbrk((int)(want + pad))))
        return -1;
    if (fresh) {
        if (heap_lo) { // the old wilderness: a block in use no one owns
            if ((size_t)(heap_end - top) < HDR)
                heap_broken("the wilderness has no room for a header");
            at(top)->size = (heap_end - top) | USED | PREV_USED;
            at(top)->tag = 0;
        }
        top = p + pad;
        if (!heap_lo)
            heap_lo = top;
    }
    heap_end = p + pad + want;
    return 0;
}

// Gives all but KEEP bytes of a large wilderness back to the kernel, unless
// something else moved the break.
static void
trim(void)
{
    if (heap_end - top < TRIM_AT || sbrk(0) != heap_end)
        return;
    size_t give = (heap_end - top) - KEEP;
    if (!sbrk_failed(sbrk(-(int)give)))
        heap_end -= give;
}

// Cuts the first need bytes of free block b (out of any list) into a block
// in use, handing the rest back as a free block when it is large enough.
static void
take(struct block *b, size_t need)
{
    size_t size = bsize(b);
    char *next = (char *)b + size;
    if (size - need >= MIN_BLOCK) {
        set_free(at((char *)b + need), size - need);
        list_insert(at((char *)b + need));
        size = need;
    } else if (next != top) {
        at(next)->size |= PREV_USED;
    }
    b->size = size | USED | PREV_USED; // a free block's lower neighbour is in use
    b->tag = tag_of(b, TAG_USED);
}

// Frees block b, which is in use, merging it with its free neighbours and
// the wilderness.
static void
release(struct block *b)
{
    size_t size = bsize(b);
    b->tag = tag_of(b, TAG_FREE); // stays behind even if merged: a second free is caught
    if (!(b->size & PREV_USED)) {
        size_t below = ((size_t *)b)[-1];
        b = at((char *)b - below);
        list_remove(b);
        size += below;
    }
    char *next = (char *)b + size;
    if (next == top) {
        top = (char *)b;
        trim();
        return;
    }
    if (!(at(next)->size & USED)) { // (a free block never touches the wilderness)
        list_remove(at(next));
        size += bsize(at(next));
        next = (char *)b + size;
    }
    at(next)->size &= ~(size_t)PREV_USED;
    set_free(b, size);
    list_insert(b);
}

// Stops the program: p, given to who (free or realloc), is not a block in
// use. Writing through such a pointer would corrupt the heap.
static void __attribute__((noreturn))
bad_pointer(const char *who, void *p, const char *why)
{
    eprintf("malloc: %s(%p): %s\n", who, p, why);
    abort();
}

// The block of p, a pointer malloc returned, checked as far as is cheap.
static struct block *
block_of(void *p, const char *who)
{
    struct block *b = at((char *)p - HDR);
    if ((size_t)p % ALIGN || !heap_lo || (char *)b < heap_lo || (char *)p >= heap_end)
        bad_pointer(who, p, "not a pointer from malloc");
    if (b->tag == tag_of(b, TAG_FREE)) // also a block merged into a neighbour since
        bad_pointer(who, p, "block already freed");
    if ((char *)p >= top || b->tag != tag_of(b, TAG_USED) || !(b->size & USED))
        bad_pointer(who, p, "not a pointer from malloc");
    return b;
}

// The block size for n bytes of data (n <= MAX_REQUEST).
static size_t
block_size(size_t n)
{
    size_t need = HDR + ((n + ALIGN - 1) & ~(size_t)(ALIGN - 1));
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

// n bytes, 8-aligned, or NULL (out of memory, or n == 0).
void *
malloc(size_t n)
{
    if (n == 0 || n > MAX_REQUEST)
        return NULL;
    size_t need = block_size(n);
    struct block *b = find_fit(need);
    if (!b) { // cut it from the bottom of the wilderness
        if (!wilderness_fits(need) && grow(need + HDR) < 0)
            return NULL;
        b = at(top);
        top += need;
        b->size = need | USED | PREV_USED; // the block below top is always in use
        b->tag = tag_of(b, TAG_USED);
        return (char *)b + HDR;
    }
    take(b, need);
    return (char *)b + HDR;
}

// Give a block from malloc/calloc/realloc back (NULL is allowed). A pointer
// malloc did not return, or a block already freed, aborts the program.
void
free(void *p)
{
    if (p)
        release(block_of(p, "free"));
}

// count*size zeroed bytes, or NULL (also when the product overflows).
void *
calloc(size_t count, size_t size)
{
    if (size != 0 && count > MAX_REQUEST / size)
        return NULL;
    void *p = malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

// Resizes in place when it can: shrinking gives the tail back, growing takes
// a free upper neighbour or the wilderness. Otherwise moves the data.
void *
realloc(void *p, size_t n)
{
    if (p == NULL)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    struct block *b = block_of(p, "realloc");
    if (n > MAX_REQUEST)
        return NULL;
    size_t need = block_size(n), have = bsize(b), below = b->size & PREV_USED;
    char *next = (char *)b + have;
    if (have < need && next == top && (wilderness_fits(need - have) ||
                                       (grow(need - have + HDR) == 0 && next == top))) {
        top = (char *)b + need; // (grow leaves top alone unless the break was moved)
        have = need;
    } else if (have < need && next != top && !(at(next)->size & USED) &&
               have + bsize(at(next)) >= need) {
        list_remove(at(next));
        have += bsize(at(next));
        next = (char *)b + have;
        if (next != top)
            at(next)->size |= PREV_USED;
    }
    b->size = have | USED | below;
    if (have >= need) {
        if (have - need >= MIN_BLOCK) { // the tail becomes a block of its own, then free
            b->size = need | USED | below;
            at((char *)b + need)->size = (have - need) | FLAGS;
            release(at((char *)b + need));
        }
        return p;
    }
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, have - HDR);
        free(p);
    }
    return q;
}

// ---- numbers ----

// Value of digit c in bases up to 36, or 99 for a non-digit.
static int
digit_value(int c)
{
    if (isdigit(c))
        return c - '0';
    if (isalpha(c))
        return tolower(c) - 'a' + 10;
    return 99;
}

// The common part of strtol and strtoul: skips spaces, reads a sign and the
// base prefix ("0x", "0" when base is 0), then the digits. Stores the sign in
// *neg and whether the value overflowed in *over. *end gets the first
// unused character (s itself when there are no digits).
static unsigned long
parse(const char *s, char **end, int base, int *neg, int *over)
{
    const char *start = s;
    unsigned long v = 0;
    int any = 0, d;

    *neg = *over = 0;
    while (isspace(*s))
        s++;
    if (*s == '+' || *s == '-')
        *neg = *s++ == '-';
    if ((base == 0 || base == 16) && s[0] == '0' && tolower(s[1]) == 'x' &&
        isxdigit(s[2])) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = s[0] == '0' ? 8 : 10;
    }
    for (; (d = digit_value(*s)) < base; s++, any = 1) {
        if (v > (0xffffffffUL - d) / base)
            *over = 1;
        v = v * base + d;
    }
    if (end)
        *end = (char *)(any ? s : start);
    return v;
}

// Out-of-range values are clamped to the largest or smallest long.
long
strtol(const char *s, char **end, int base)
{
    int neg, over;
    unsigned long v = parse(s, end, base, &neg, &over);

    if (neg)
        return over || v >= 0x80000000UL ? (long)-0x7fffffffL - 1 : -(long)v;
    return over || v > 0x7fffffffUL ? 0x7fffffffL : (long)v;
}

// As in C, a leading '-' negates the value (in unsigned arithmetic).
unsigned long
strtoul(const char *s, char **end, int base)
{
    int neg, over;
    unsigned long v = parse(s, end, base, &neg, &over);

    if (over)
        return 0xffffffffUL;
    return neg ? -v : v;
}

// The decimal number at the start of s (strtol's rules, no error report).
int
atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

// |x| (INT_MIN stays INT_MIN, as in C).
int
abs(int x)
{
    return x < 0 ? -x : x;
}

// ---- process exit ----

// The normal way out: data still in printf's buffer must reach fd 1 first.
void
exit(int status)
{
    fflush_stdout();
    _exit(status);
}

// End the process at once with status 134 after flushing stdout.
void
abort(void)
{
    fflush_stdout();
    write(2, "abort\n", 6);
    _exit(134); // what a shell reports for SIGABRT elsewhere: 128 + 6
}

// ---- pseudo-random numbers ----
// A linear congruential generator (the constants of C's sample rand): the
// same seed always gives the same sequence, which keeps tests repeatable.
static unsigned int rand_state = 1;

// The next number of the sequence, 0..RAND_MAX.
int
rand(void)
{
    rand_state = rand_state * 1103515245u + 12345u;
    return (rand_state >> 16) & RAND_MAX;
}

// Restart the sequence from seed.
void
srand(unsigned int seed)
{
    rand_state = seed;
}

// ---- time ----
unsigned int
sleep(unsigned int seconds)
{
    return msleep(seconds * 1000) < 0 ? seconds : 0;
}

// ---- sorting ----
// qsort as a shell sort: small, not recursive, fine for the sizes here.
void
qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *a = base;
    char tmp[256];
    if (size > sizeof(tmp))
        abort();
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; i++) {
            memcpy(tmp, a + i * size, size);
            size_t j = i;
            for (; j >= gap && cmp(a + (j - gap) * size, tmp) > 0; j -= gap)
                memcpy(a + j * size, a + (j - gap) * size, size);
            memcpy(a + j * size, tmp, size);
        }
}
