// libsys: memory and string functions, and strerror.
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

// GCC may recognise the byte loops below as "a memset" or "a memcpy" and
// replace them with a call to that very function: infinite recursion. This
// turns that optimisation off for this file.
#pragma GCC optimize("no-tree-loop-distribute-patterns")

// The C library's memory and string functions, with their standard
// contracts (no checks: a bad pointer faults in the program, as in C).
void *
memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n-- > 0)
        *d++ = (unsigned char)c;
    return dst;
}

// The regions must not overlap (use memmove when they may).
void *
memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

// Copies correctly even when the regions overlap: when dst lies above src,
// copy from the end so that no byte is overwritten before it is read.
void *
memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d > s && d < s + n) {
        while (n-- > 0)
            d[n] = s[n];
    } else {
        while (n-- > 0)
            *d++ = *s++;
    }
    return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (; n > 0; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
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

size_t
strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

// Compares as unsigned chars, as the C standard asks.
int
strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
    for (; n > 0; n--, a++, b++)
        if (*a != *b || *a == 0)
            return (unsigned char)*a - (unsigned char)*b;
    return 0;
}

char *
strcpy(char *dst, const char *src)
{
    char *d = dst;

    while ((*d++ = *src++) != 0)
        ;
    return dst;
}

// C's strncpy: copies at most n bytes and pads with NULs; the result is not
// NUL-terminated when src has n or more characters.
char *
strncpy(char *dst, const char *src, size_t n)
{
    size_t i = 0;

    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

char *
strcat(char *dst, const char *src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

// The terminating NUL counts as part of the string: strchr(s, 0) finds it.
char *
strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == 0)
            return NULL;
    }
}

char *
strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (*s == 0)
            return (char *)last;
    }
}

char *
strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack; haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    return n == 0 ? (char *)haystack : NULL;
}

char *
strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p)
        memcpy(p, s, n);
    return p;
}

// Messages indexed by errno; the gaps stay NULL ("unknown error").
static const char *const messages[] = {
    [EPERM] = "operation not permitted",
    [ENOENT] = "no such file or directory",
    [ESRCH] = "no such process",
    [EINTR] = "interrupted",
    [EIO] = "I/O error",
    [E2BIG] = "argument list too long",
    [ENOEXEC] = "not an executable",
    [EBADF] = "bad file descriptor",
    [ECHILD] = "no child processes",
    [EAGAIN] = "resource temporarily unavailable",
    [ENOMEM] = "out of memory",
    [EFAULT] = "bad address",
    [EBUSY] = "busy",
    [EEXIST] = "file exists",
    [ENOTDIR] = "not a directory",
    [EISDIR] = "is a directory",
    [EINVAL] = "invalid argument",
    [ENFILE] = "file table full",
    [EMFILE] = "too many open files",
    [ENOSPC] = "no space left",
    [ESPIPE] = "illegal seek",
    [EROFS] = "read-only file system",
    [EPIPE] = "broken pipe",
    [ERANGE] = "result out of range",
    [ENAMETOOLONG] = "name too long",
    [ENOSYS] = "no such system call",
    [ENOTEMPTY] = "directory not empty",
    [EALREADY] = "mode already set",
};

// Takes a POSITIVE errno (a system call returned -errnum).
const char *
strerror(int errnum)
{
    int n = sizeof(messages) / sizeof(messages[0]);

    if (errnum > 0 && errnum < n && messages[errnum])
        return messages[errnum];
    return "unknown error";
}
