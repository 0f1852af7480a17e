// PS/2 keyboard: scan code set 1 to ASCII, US layout, shift and ctrl.
#include "kernel.h"
#include "x86.h"

#define KBD_STATUS 0x64
#define KBD_DATA 0x60
#define KBD_HAVE_DATA 0x01

static const char normal[128] = {
    0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b',
    '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n',
    0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
    0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,
    '*', 0, ' ',
};
static const char shifted[128] = {
    0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b',
    '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n',
    0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
    0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,
    '*', 0, ' ',
};

#define SC_LSHIFT 0x2A
#define SC_RSHIFT 0x36
#define SC_CTRL 0x1D
#define SC_RELEASE 0x80

static int shift, ctrl;

// IRQ 1: translate each scan code and hand characters to the console.
void
kbd_intr(void)
{
    while (inb(KBD_STATUS) & KBD_HAVE_DATA) {
        uint8_t sc = inb(KBD_DATA);
        int release = sc & SC_RELEASE;
        sc &= ~SC_RELEASE;
        if (sc == SC_LSHIFT || sc == SC_RSHIFT) {
            shift = !release;
            continue;
        }
        if (sc == SC_CTRL) {
            ctrl = !release;
            continue;
        }
        if (release || sc >= 128)
            continue;
        int c = shift ? shifted[sc] : normal[sc];
        if (ctrl && c >= 'a' && c <= 'z')
            c = c - 'a' + 1; // ctrl-D = 4: end of input
        if (c)
            console_input(c);
    }
}
