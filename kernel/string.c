// The few string and memory routines the kernel needs (GCC may also emit
// calls to memcpy/memset/memmove/memcmp itself).
#include "kernel.h"

void *
memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
    return memmove(dst, src, n);
}

void *
memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s || d >= s + n) {
        if ((((uint32_t)d | (uint32_t)s | n) & 3) == 0) {
            uint32_t *dw = dst;
            const uint32_t *sw = src;
            for (n /= 4; n--;)
                *dw++ = *sw++;
        } else {
            while (n--)
                *d++ = *s++;
        }
    } else {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
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

char *
strstr(const char *h, const char *n)
{
    size_t ln = strlen(n);
    for (; *h; h++)
        if (strncmp(h, n, ln) == 0)
            return (char *)h;
    return ln ? 0 : (char *)h;
}
