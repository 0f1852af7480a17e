// libsys: the heap (malloc and friends), number conversion, exit, rand.
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ctype.h>
#include <unistd.h>

// ---- the heap ----
// Every block, free or in use, starts with a header. The free blocks form a
// list sorted by address, so that freeing a block can merge it with the
// neighbours it touches (coalescing) and the heap does not crumble into
// pieces too small to use. The header is 8 bytes, so payloads stay 8-aligned
// as long as block sizes are multiples of 8 and the heap starts 8-aligned.
struct header {
    size_t size;          // bytes in the whole block, header included
    struct header *next;  // next free block by address (free blocks only)
};

#define ALIGN 8
#define HDR sizeof(struct header)
#define MIN_GROW (16 * 1024) // ask sbrk for at least this much: fewer calls
#define MIN_SPLIT (2 * HDR)  // a remainder smaller than this stays attached

static struct header *freelist; // lowest free block, or NULL
static int heap_started;

// Puts block b into the free list at its place by address and merges it with
// the free blocks directly before and after it.
static void
insert_free(struct header *b)
{
    struct header *prev = NULL, *cur = freelist;

    while (cur && cur < b) {
        prev = cur;
        cur = cur->next;
    }
    b->next = cur;
    if (cur && (char *)b + b->size == (char *)cur) { // touches the next one
        b->size += cur->size;
        b->next = cur->next;
    }
    if (prev && (char *)prev + prev->size == (char *)b) { // touches the previous one
        prev->size += b->size;
        prev->next = b->next;
    } else if (prev) {
        prev->next = b;
    } else {
        freelist = b;
    }
}

// Grows the heap by at least need bytes and adds the new space to the free
// list. Returns 0, or -1 when sbrk refuses.
static int
grow(size_t need)
{
    char *p;

    if (!heap_started) {
        // Align the break once; every later increment is a multiple of 8.
        p = sbrk(0);
        if (sbrk_failed(p))
            return -1;
        if ((size_t)p % ALIGN && sbrk_failed(sbrk(ALIGN - (size_t)p % ALIGN)))
            return -1;
        heap_started = 1;
    }
    if (need < MIN_GROW)
        need = MIN_GROW;
    p = sbrk((int)need);
    if (sbrk_failed(p))
        return -1;
    struct header *b = (struct header *)p;
    b->size = need;
    insert_free(b);
    return 0;
}

// First fit: takes the first free block that is large enough, splitting off
// its tail when the rest is worth keeping.
void *
malloc(size_t n)
{
    if (n == 0 || n > 0x7fff0000u) // also keeps the size arithmetic from wrapping
        return NULL;
    size_t need = HDR + (n + ALIGN - 1) / ALIGN * ALIGN;

    for (;;) {
        struct header *prev = NULL, *b = freelist;

        for (; b; prev = b, b = b->next) {
            if (b->size < need)
                continue;
            if (b->size - need >= MIN_SPLIT) {
                // Hand out the tail; the head stays in the list where it was.
                b->size -= need;
                b = (struct header *)((char *)b + b->size);
                b->size = need;
            } else if (prev) {
                prev->next = b->next;
            } else {
                freelist = b->next;
            }
            return b + 1;
        }
        if (grow(need) < 0)
            return NULL;
    }
}

// Give a block from malloc/calloc/realloc back (NULL is allowed). A
// pointer malloc did not return corrupts the heap, as in C.
void
free(void *p)
{
    if (p)
        insert_free((struct header *)p - 1);
}

// count*size zeroed bytes, or NULL (also when the product overflows).
void *
calloc(size_t count, size_t size)
{
    if (size != 0 && count > 0x7fff0000u / size)
        return NULL;
    void *p = malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

// Keeps the block when it is already large enough; otherwise moves the data.
void *
realloc(void *p, size_t n)
{
    if (p == NULL)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    size_t have = ((struct header *)p - 1)->size - HDR;
    if (have >= n)
        return p;
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, have);
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
