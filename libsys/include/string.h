// libsys: memory and string functions (a small subset of C's <string.h>),
// plus strerror for the negative errno values that system calls return.
#ifndef _STRING_H
#define _STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);
char *strcat(char *dst, const char *src);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strdup(const char *s); // a malloc'ed copy, or NULL when out of memory

// A message for a POSITIVE errno value: print strerror(-r) for a failed call.
const char *strerror(int errnum);

#endif
