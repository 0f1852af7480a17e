// printk: formatted output to the console (VGA and COM1 alike).
#include "kernel.h"

struct strbuf {
    char *buf;
    size_t len, max;
};

// vformat's output for snprintk: store c while room for the NUL remains, but
// count every character, so that snprintk returns the full length.
static void
put_str(int c, void *arg)
{
    struct strbuf *sb = arg;
    if (sb->len + 1 < sb->max)
        sb->buf[sb->len] = (char)c;
    sb->len++;
}

// vformat's output for printk (which holds a pushcli): one character to the console.
static void
put_console(int c, void *arg)
{
    (void)arg;
    console_putc(c);
}

// Format fmt with ap, handing each character to put(c, arg). Supports
// %d %i %u %x %X %o %c %s %p %%, the flags '-' and '0', a width, a precision
// for %s, and the length modifiers l and ll. Returns the characters produced.
int
vformat(void (*put)(int, void *), void *arg, const char *fmt, va_list ap)
{
    int count = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt, arg), count++;
            continue;
        }
        fmt++;
        int left = 0, zero = 0, width = 0, prec = -1, lng = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                zero = 1;
            else
                break;
        }
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        if (*fmt == '.')
            for (prec = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
                prec = prec * 10 + (*fmt - '0');
        while (*fmt == 'l')
            lng++, fmt++;

        char tmp[24];
        const char *s = tmp;
        int len = 0, neg = 0;
        uint64_t v = 0;
        unsigned base = 10;
        const char *digits = "0123456789abcdef";
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t sv = lng >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
            neg = sv < 0;
            v = neg ? -(uint64_t)sv : (uint64_t)sv;
            goto number;
        }
        case 'p':
            zero = 1, width = 8;
            /* fall through */
        case 'x':
        case 'X':
        case 'o':
        case 'u':
            v = lng >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
            if (*fmt == 'X')
                digits = "0123456789ABCDEF";
        number: {
            char *e = tmp + sizeof tmp;
            char *q = e;
            do
                *--q = digits[v % base];
            while (v /= base);
            if (neg)
                *--q = '-';
            s = q, len = e - q;
            if (zero && !left && neg && len < width) {
                put('-', arg), count++, s++, len--, width--;
            }
            break;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int), len = 1;
            break;
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            while (s[len] && (prec < 0 || len < prec))
                len++;
            zero = 0;
            break;
        case '%':
            tmp[0] = '%', len = 1;
            break;
        default: // unknown conversion: print it as is
            put('%', arg), count++;
            if (!*fmt)
                return count;
            tmp[0] = *fmt, len = 1;
            break;
        }
        int pad = width > len ? width - len : 0;
        if (!left)
            for (; pad > 0; pad--)
                put(zero ? '0' : ' ', arg), count++;
        for (int i = 0; i < len; i++)
            put(s[i], arg), count++;
        for (; pad > 0; pad--)
            put(' ', arg), count++;
    }
    return count;
}

// Print to the console. Safe with interrupts on or off; never sleeps.
int
printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pushcli(); // keep one printk's characters together
    int n = vformat(put_console, 0, fmt, ap);
    popcli();
    va_end(ap);
    return n;
}

// Format into buf (at most n bytes, always NUL-terminated); returns the
// length the whole output would have.
int
snprintk(char *buf, size_t n, const char *fmt, ...)
{
    struct strbuf sb = {buf, 0, n};
    va_list ap;
    va_start(ap, fmt);
    vformat(put_str, &sb, fmt, ap);
    va_end(ap);
    if (n)
        buf[sb.len < n ? sb.len : n - 1] = 0;
    return (int)sb.len;
}

// Messages that any program can cause at will (an unknown system call, a
// refused switch) go through a rate limit: at most RATELIMIT_BURST of each
// kind per second of ticks. A flood then cannot keep the console, and the
// interrupts that console output holds off, busy. Returns 1 if the caller
// may print its message now. The first message of a new second is preceded
// by the count of those suppressed in the last one.
int
ratelimit_ok(struct ratelimit *rl)
{
    pushcli();
    if (ticks - rl->start >= HZ) {
        if (rl->suppressed)
            printk("(%u more \"%s\" messages suppressed)\n", rl->suppressed, rl->what);
        rl->start = ticks;
        rl->printed = rl->suppressed = 0;
    }
    int ok = rl->printed < RATELIMIT_BURST;
    if (ok)
        rl->printed++;
    else
        rl->suppressed++;
    popcli();
    return ok;
}
