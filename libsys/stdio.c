// libsys: printf and friends over file descriptors, and line input.
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

// Where formatted characters go. A sink with fd >= 0 collects characters in
// buf and writes them to fd when buf is full (and, for stdout, at each
// newline). A sink with fd < 0 is a string (snprintf): characters that do not
// fit are counted but dropped.
struct sink {
    char *buf;
    size_t cap;  // size of buf
    size_t len;  // characters now in buf
    int fd;      // where a flush writes, or -1 for a string
    int line;    // flush at each '\n'
    int count;   // characters produced by the current call
    int err;     // first write error of the current call, or 0
};

// stdout's buffer lives across calls, so that many small printf calls
// become one write() per line.
static char stdout_buf[1024];
static struct sink out1 = { stdout_buf, sizeof(stdout_buf), 0, 1, 1, 0, 0 };

// The field a conversion fills: "%-08.3d" gives left, zero, width, prec.
struct spec {
    int left;   // '-': pad on the right
    int zero;   // '0': pad numbers with zeros
    int width;  // minimum field width
    int prec;   // %s: most characters; numbers: fewest digits; -1: none
};

// Write all n bytes of buf to fd, retrying short writes (a pipe may take
// part). Returns n, or the first negative errno (-EIO if write returns 0).
int
write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    size_t done = 0;

    while (done < n) {
        int r = write(fd, p + done, n - done);
        if (r < 0)
            return r;
        if (r == 0) // cannot happen for a working fd; avoid spinning forever
            return -EIO;
        done += r;
    }
    return (int)done;
}

// Writes out what s holds. On error the data is dropped: retrying a failed
// write forever would help no one.
static void
flush(struct sink *s)
{
    if (s->len > 0) {
        int r = write_all(s->fd, s->buf, s->len);
        if (r < 0 && s->err == 0)
            s->err = r;
        s->len = 0;
    }
}

// Append c to s: a string sink keeps what fits (one byte stays for the
// NUL); an fd sink flushes when full, and stdout also at a newline.
static void
put(struct sink *s, char c)
{
    s->count++;
    if (s->fd < 0) { // a string: keep the last byte for the NUL
        if (s->len + 1 < s->cap)
            s->buf[s->len++] = c;
        return;
    }
    s->buf[s->len++] = c;
    if (s->len == s->cap || (s->line && c == '\n'))
        flush(s);
}

// Emits prefix, then nzero '0's, then the n bytes of body, padded with
// spaces to sp->width on the side sp->left chooses.
static void
put_field(struct sink *s, const char *prefix, const char *body, int n, int nzero,
          const struct spec *sp)
{
    int pad = sp->width - (int)strlen(prefix) - nzero - n;

    for (; !sp->left && pad > 0; pad--)
        put(s, ' ');
    while (*prefix)
        put(s, *prefix++);
    for (; nzero > 0; nzero--)
        put(s, '0');
    while (n-- > 0)
        put(s, *body++);
    for (; pad > 0; pad--)
        put(s, ' ');
}

// Formats v in base (8, 10 or 16) after prefix ("-", "0x" or "").
static void
put_number(struct sink *s, unsigned long long v, int base, int upper,
           const char *prefix, const struct spec *sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24]; // 22 octal digits hold 64 bits
    char *p = tmp + sizeof(tmp);
    int n, nzero;

    // As in C, precision 0 prints nothing at all for the value 0.
    if (v != 0 || sp->prec != 0) {
        do {
            // 64-bit division is a slow libgcc call: use it only when needed.
            if (v <= 0xffffffffu) {
                unsigned int w = (unsigned int)v;
                *--p = digits[w % base];
                v = w / base;
            } else {
                *--p = digits[v % base];
                v /= base;
            }
        } while (v != 0);
    }
    n = tmp + sizeof(tmp) - p;
    nzero = sp->prec > n ? sp->prec - n : 0;
    if (sp->zero && !sp->left && sp->prec < 0)
        nzero = sp->width - (int)strlen(prefix) - n;
    put_field(s, prefix, p, n, nzero > 0 ? nzero : 0, sp);
}

// Reads a width or precision: digits, or '*' for an int argument.
static int
read_count(const char **fmt, va_list *ap)
{
    int n = 0;

    if (**fmt == '*') {
        (*fmt)++;
        return va_arg(*ap, int);
    }
    while (**fmt >= '0' && **fmt <= '9')
        n = n * 10 + *(*fmt)++ - '0';
    return n;
}

// Reads a conversion's flags, width, precision and length (0 int, 1 long,
// also size_t: both are 32 bits here, 2 long long) into sp, from *fmt just
// after the '%'; leaves *fmt at the conversion character. Returns the length.
static int
read_spec(const char **fmt, va_list *ap, struct spec *sp)
{
    *sp = (struct spec){ 0, 0, 0, -1 };
    for (;; (*fmt)++) {
        if (**fmt == '-')
            sp->left = 1;
        else if (**fmt == '0')
            sp->zero = 1;
        else
            break;
    }
    sp->width = read_count(fmt, ap);
    if (sp->width < 0) { // a negative '*' width means '-'
        sp->left = 1;
        sp->width = -sp->width;
    }
    if (**fmt == '.') {
        (*fmt)++;
        sp->prec = read_count(fmt, ap);
        if (sp->prec < 0)
            sp->prec = -1;
    }
    if (**fmt == 'z') {
        (*fmt)++;
        return 1;
    }
    int size = 0;
    while (**fmt == 'l' && size < 2) {
        size++;
        (*fmt)++;
    }
    return size;
}

// Formats one conversion conv (its spec sp and length size) with its
// argument from ap. Returns 0 if the format ends here (a lone '%').
static int
format_one(struct sink *s, char conv, struct spec *sp, int size, va_list *ap)
{
    unsigned long long u;
    long long d;
    const char *str;
    char c;
    switch (conv) {
    case 'd':
    case 'i':
        d = size == 2 ? va_arg(*ap, long long) : size == 1 ? va_arg(*ap, long) : va_arg(*ap, int);
        // Negate in unsigned arithmetic: -d overflows for the smallest value.
        put_number(s, d < 0 ? -(unsigned long long)d : (unsigned long long)d, 10, 0,
                   d < 0 ? "-" : "", sp);
        break;
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        u = size == 2   ? va_arg(*ap, unsigned long long)
            : size == 1 ? va_arg(*ap, unsigned long)
                        : va_arg(*ap, unsigned int);
        put_number(s, u, conv == 'u' ? 10 : conv == 'o' ? 8 : 16, conv == 'X', "", sp);
        break;
    case 'p': // an address: 0x and 8 hex digits
        if (sp->prec < 0)
            sp->prec = 8;
        put_number(s, (unsigned int)va_arg(*ap, void *), 16, 0, "0x", sp);
        break;
    case 'c':
        c = (char)va_arg(*ap, int);
        put_field(s, "", &c, 1, 0, sp);
        break;
    case 's':
        str = va_arg(*ap, const char *);
        if (str == NULL)
            str = "(null)";
        put_field(s, "", str, sp->prec >= 0 ? (int)strnlen(str, sp->prec) : (int)strlen(str), 0, sp);
        break;
    case '%':
        put(s, '%');
        break;
    case 0: // a lone '%' ends the format
        put(s, '%');
        return 0;
    default: // a conversion it does not know: printed as it is
        put(s, '%');
        put(s, conv);
        break;
    }
    return 1;
}

// The formatter behind every printf variant.
static void
format(struct sink *s, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(s, *fmt);
            continue;
        }
        fmt++;
        struct spec sp;
        int size = read_spec(&fmt, &ap, &sp);
        if (!format_one(s, *fmt, &sp, size, &ap))
            return;
    }
}

// What a printf-family call returns: the first write error, else the
// number of characters produced.
static int
result(const struct sink *s)
{
    return s->err ? s->err : s->count;
}

// The printf family's one worker (contracts in include/stdio.h): fd 1 goes
// through stdout's buffer, fd 2 flushes stdout first, other fds are written
// before returning. Returns characters produced, or a negative errno.
int
vdprintf(int fd, const char *fmt, va_list ap)
{
    if (fd == 1) {
        out1.count = out1.err = 0;
        format(&out1, fmt, ap);
        return result(&out1);
    }
    if (fd == 2) // error messages must not overtake earlier output
        fflush_stdout();
    // Other fds are not buffered across calls: collect this call's output
    // and write it before returning.
    char buf[256];
    struct sink s = { buf, sizeof(buf), 0, fd, 0, 0, 0 };
    format(&s, fmt, ap);
    flush(&s);
    return result(&s);
}

// printf to fd; see vdprintf.
int
dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(fd, fmt, ap);
    va_end(ap);
    return r;
}

// Formatted output to stdout (buffered until a newline or fflush_stdout).
int
printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(1, fmt, ap);
    va_end(ap);
    return r;
}

// Formatted output to fd 2, after flushing stdout so the order holds.
int
eprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(2, fmt, ap);
    va_end(ap);
    return r;
}

// Format into buf, at most size-1 characters and a NUL (nothing if size is
// 0). Returns the length the whole output would have had, as C's does.
int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { buf, size, 0, -1, 0, 0, 0 };
    format(&s, fmt, ap);
    if (size > 0)
        buf[s.len] = 0;
    return s.count;
}

// See vsnprintf.
int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

// Like C's sprintf, it trusts buf to be large enough.
int
sprintf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, 0x7fffffff, fmt, ap);
    va_end(ap);
    return r;
}

// s and a newline to stdout. Returns the characters written or a negative errno.
int
puts(const char *s)
{
    out1.count = out1.err = 0;
    while (*s)
        put(&out1, *s++);
    put(&out1, '\n');
    return result(&out1);
}

// One character to stdout. Returns c as an unsigned char, or a negative errno.
int
putchar(int c)
{
    out1.count = out1.err = 0;
    put(&out1, (char)c);
    return out1.err ? out1.err : (unsigned char)c;
}

// Write out what stdout's buffer holds. Returns 0 or the write's negative errno.
int
fflush_stdout(void)
{
    out1.err = 0;
    flush(&out1);
    return out1.err;
}

// One byte per read(), so that no byte past the newline is consumed: the
// rest of the input stays in fd for whoever reads it next (a child that
// inherits fd 0, for example). Flushes stdout first, so that a prompt
// without a newline is on the screen before the wait for input.
int
fgets_fd(char *buf, int max, int fd)
{
    int n = 0;

    if (max < 2) // room for one byte and the NUL, or 0 would look like EOF
        return -EINVAL;
    fflush_stdout();
    while (n < max - 1) {
        char c;
        int r = read(fd, &c, 1);
        if (r < 0) {
            if (n == 0)
                return r;
            break; // return what we have; the error comes back next time
        }
        if (r == 0)
            break;
        buf[n++] = c;
        if (c == '\n')
            break;
    }
    buf[n] = 0;
    return n;
}
