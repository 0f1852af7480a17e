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

// One conversion's flags, width, precision and length (%lld: lng 2).
struct spec {
    int left, zero, width, prec, lng;
};

// Read a conversion's spec from fmt, just after its '%'. Returns where the
// conversion character is.
static const char *
read_spec(const char *fmt, struct spec *sp)
{
    *sp = (struct spec){.prec = -1};
    for (;; fmt++) {
        if (*fmt == '-')
            sp->left = 1;
        else if (*fmt == '0')
            sp->zero = 1;
        else
            break;
    }
    for (; *fmt >= '0' && *fmt <= '9'; fmt++)
        sp->width = sp->width * 10 + (*fmt - '0');
    if (*fmt == '.')
        for (sp->prec = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
            sp->prec = sp->prec * 10 + (*fmt - '0');
    while (*fmt == 'l')
        sp->lng++, fmt++;
    return fmt;
}

// Write v in base with digits, '-' first if neg, ending at end (a buffer of
// at least 24 bytes). Returns where the text starts.
static char *
number_text(char *end, uint64_t v, unsigned base, const char *digits, int neg)
{
    char *q = end;
    do
        *--q = digits[v % base];
    while (v /= base);
    if (neg)
        *--q = '-';
    return q;
}

// Hand s[0..len) to put, padded to sp's width; the zeros of a signed number
// go after its sign (signed: s starts with its '-'). Returns the characters
// produced.
static int
put_field(void (*put)(int, void *), void *arg, const char *s, int len, int signed_number,
          const struct spec *sp)
{
    int count = 0, pad = sp->width > len ? sp->width - len : 0;
    if (sp->zero && !sp->left && pad && signed_number)
        put(*s++, arg), count++, len--;
    for (; !sp->left && pad > 0; pad--)
        put(sp->zero ? '0' : ' ', arg), count++;
    for (int i = 0; i < len; i++)
        put(s[i], arg), count++;
    for (; pad > 0; pad--)
        put(' ', arg), count++;
    return count;
}

// Format fmt with ap, handing each character to put(c, arg). Supports
// %d %i %u %x %X %o %c %s %p %%, the flags '-' and '0', a width, a precision
// for %s, and the length modifiers l and ll. An unknown conversion is
// printed as it is. Returns the characters produced.
int
vformat(void (*put)(int, void *), void *arg, const char *fmt, va_list ap)
{
    int count = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt, arg), count++;
            continue;
        }
        struct spec sp;
        fmt = read_spec(fmt + 1, &sp);
        char tmp[24], *end = tmp + sizeof tmp;
        const char *s = tmp;
        int len = 1, neg = 0;
        int64_t sv;
        uint64_t v;
        switch (*fmt) {
        case 'd':
        case 'i':
            sv = sp.lng >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
            neg = sv < 0;
            s = number_text(end, neg ? -(uint64_t)sv : (uint64_t)sv, 10, "0123456789", neg);
            len = end - s;
            break;
        case 'p':
            sp.zero = 1, sp.width = 8;
            /* fall through */
        case 'x':
        case 'X':
        case 'o':
        case 'u':
            v = sp.lng >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            s = number_text(end, v, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
                            *fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef", 0);
            len = end - s;
            break;
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            break;
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            for (len = 0; s[len] && (sp.prec < 0 || len < sp.prec); len++)
                ;
            sp.zero = 0;
            break;
        case '%':
            tmp[0] = '%';
            break;
        default: // unknown conversion: print it as is
            put('%', arg), count++;
            if (!*fmt)
                return count;
            tmp[0] = *fmt;
            break;
        }
        count += put_field(put, arg, s, len, neg, &sp);
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
