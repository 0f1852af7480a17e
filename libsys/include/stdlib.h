// libsys: memory allocation, number conversion, process exit (C's <stdlib.h>).
#ifndef _STDLIB_H
#define _STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 32767

// The heap grows through sbrk (and shrinks: free gives a large free top back);
// every allocation is 8-byte aligned.
void *malloc(size_t n);             // NULL when out of memory (or n == 0)
void free(void *p);                 // p from malloc/calloc/realloc, or NULL; else abort
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);

int atoi(const char *s);
long strtol(const char *s, char **end, int base);           // base 0, 8, 10 or 16
unsigned long strtoul(const char *s, char **end, int base);
int abs(int x);

void exit(int status) __attribute__((noreturn));  // flushes stdout, then _exit
void abort(void) __attribute__((noreturn));       // prints "abort", _exit(134)

int rand(void);                  // 0..RAND_MAX, the same sequence every run
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void srand(unsigned int seed);

#endif
