// libsys: formatted output to file descriptors, and line input.
// There are no FILE streams: output goes to a file descriptor number.
//   printf  -> fd 1, buffered (1 KiB, flushed at '\n', when full, at exit()
//              and by fflush_stdout());
//   eprintf -> fd 2, unbuffered (stdout is flushed first to keep the order);
//   dprintf -> any fd (fd 1 shares printf's buffer).
// Formats: %d %i %u %x %X %o %c %s %p %%, flags '-' '0', width and precision
// (a number or '*'), length modifiers l, ll and z.
// All return the number of characters produced, or a negative errno when a
// write failed.
#ifndef _STDIO_H
#define _STDIO_H

#include <stddef.h>
#include <stdarg.h>

#define EOF (-1)

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

int printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int eprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int dprintf(int fd, const char *fmt, ...) PRINTF_LIKE(2, 3);
int vdprintf(int fd, const char *fmt, va_list ap);
int sprintf(char *buf, const char *fmt, ...) PRINTF_LIKE(2, 3);
// These write at most size bytes, always NUL-terminated (when size > 0), and
// return the length the whole output would have had.
int snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

int puts(const char *s);    // s and a newline, to stdout
int putchar(int c);
int fflush_stdout(void);    // 0, or a negative errno

// Reads one line from fd into buf, byte by byte: up to and including '\n', or
// max-1 bytes, NUL-terminated. Returns the number of bytes stored, 0 at end
// of input, or a negative errno.
int fgets_fd(char *buf, int max, int fd);

// Writes all n bytes, looping over short writes (pipes). n, or a negative errno.
int write_all(int fd, const void *buf, size_t n);

#endif
