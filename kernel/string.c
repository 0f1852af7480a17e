// The few string and memory routines the kernel needs (GCC may also emit
// calls to memcpy/memset/memmove/memcmp itself).
#include "kernel.h"

// memset and memmove use the string instructions (rep stos, rep movs):
// clearing and copying whole pages is most of what they do.
void *
memset(void *dst, int c, size_t n)
{
    void *d = dst;
    if (((uint32_t)d | n) % 4 == 0) {
        uint32_t v = (uint8_t)c * 0x01010101u;
        size_t words = n / 4;
        __asm__ volatile("cld; rep stosl" : "+D"(d), "+c"(words) : "a"(v) : "memory");
    } else {
        __asm__ volatile("cld; rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    }
    return dst;
}

// The C library's memcpy, memmove, memcmp, strlen, strcmp and strncmp, with
// their standard contracts; bytes compare as unsigned. memcpy is memmove here,
// so overlapping copies are safe either way.
void *
memcpy(void *dst, const void *src, size_t n)
{
    return memmove(dst, src, n);
}

void *
memmove(void *dst, const void *src, size_t n)
{
    void *d = dst;
    const void *s = src;
    if ((const uint8_t *)s < (uint8_t *)d && (uint8_t *)d < (const uint8_t *)s + n) {
        // overlapping, destination above: copy backwards
        d = (uint8_t *)d + n - 1;
        s = (const uint8_t *)s + n - 1;
        __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    } else if ((((uint32_t)d | (uint32_t)s | n) & 3) == 0) {
        size_t words = n / 4;
        __asm__ volatile("cld; rep movsl" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    } else {
        __asm__ volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    }
    return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n--; x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t
strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int
strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (uint8_t)*a - (uint8_t)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
    for (; n && *a && *a == *b; n--)
        a++, b++;
    return n ? (uint8_t)*a - (uint8_t)*b : 0;
}

// Copy at most n-1 bytes and always NUL-terminate; returns strlen(src).
size_t
strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(dst, src, c);
        dst[c] = 0;
    }
    return len;
}

// The first occurrence of n in h, or 0; an empty n matches at h (standard).
char *
strstr(const char *h, const char *n)
{
    size_t ln = strlen(n);
    for (; *h; h++)
        if (strncmp(h, n, ln) == 0)
            return (char *)h;
    return ln ? 0 : (char *)h;
}
