// The console: output goes to both VGA and COM1; input from the keyboard and
// COM1 goes through one line discipline (echo, backspace, ctrl-D, ctrl-U) and
// is read a line at a time by processes (fds 0, 1 and 2 of init).
#include "kernel.h"
#include "proc.h"

#define INPUT_BUF 256
#define CTRL(c) ((c) - '@')

static struct {
    char buf[INPUT_BUF];
    uint32_t r; // next byte read() takes
    uint32_t w; // end of the committed lines read() may take
    uint32_t e; // end of the line being edited
} input;

// Set up both outputs, COM1 and the VGA screen. First thing in kmain, so that
// even an early panic is seen.
void
console_init(void)
{
    uart_init();
    vga_init();
}

// Put one character on COM1 and the screen. The caller keeps interrupts off
// (pushcli, or an interrupt handler): an echo from the keyboard or COM1 must not
// cut into the VGA cursor update. Never sleeps.
void
console_putc(int c)
{
    uart_putc(c);
    vga_putc(c);
}

// Write n bytes to both outputs as one piece: interrupts stay off throughout, so
// echoed input cannot land in the middle. Never sleeps.
void
console_write(const char *s, size_t n)
{
    pushcli();
    for (size_t i = 0; i < n; i++)
        console_putc(s[i]);
    popcli();
}

// Called from interrupt handlers with interrupts off.
void
console_input(int c)
{
    switch (c) {
    case CTRL('U'): // kill the line
        while (input.e != input.w && input.buf[(input.e - 1) % INPUT_BUF] != '\n') {
            input.e--;
            console_write("\b \b", 3);
        }
        break;
    case '\b':
        if (input.e != input.w) {
            input.e--;
            console_write("\b \b", 3);
        }
        break;
    default:
        if (c == 0 || input.e - input.r >= INPUT_BUF)
            break;
        input.buf[input.e++ % INPUT_BUF] = (char)c;
        if (c != CTRL('D'))
            console_putc(c);
        if (c == '\n' || c == CTRL('D') || input.e == input.r + INPUT_BUF) {
            input.w = input.e;
            wakeup(&input.r);
        }
    }
}

// Read up to n bytes of the next line into kernel buffer dst. Sleeps until a
// whole line is there. Returns the byte count, 0 for ctrl-D at the start of a
// line (end of input), or -EINTR if the process is killed while waiting.
// It never sleeps holding bytes it took: when the committed input ends in
// the middle of a line (a line longer than the buffer), it returns that
// part, so that a kill during the wait cannot drop it.
int
console_read(char *dst, size_t n)
{
    size_t got = 0;
    pushcli();
    while (got < n) {
        if (input.r == input.w && got > 0)
            break;
        while (input.r == input.w) {
            if (curproc->killed) {
                popcli();
                return -EINTR;
            }
            sleep(&input.r);
        }
        char c = input.buf[input.r++ % INPUT_BUF];
        if (c == CTRL('D')) {
            if (got > 0)
                input.r--; // keep it: the next read returns 0
            break;
        }
        dst[got++] = c;
        if (c == '\n')
            break;
    }
    popcli();
    return (int)got;
}
