// VGA text console: 80x25 cells at physical 0xB8000, light grey on black.
#include "kernel.h"
#include "mmu.h"
#include "x86.h"

#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x0700
#define CRTC_PORT 0x3D4

static uint16_t *const vga = (uint16_t *)P2V(0xB8000);
static int pos; // cursor: row * VGA_COLS + column

// Put the hardware cursor at pos.
static void
move_cursor(void)
{
    outb(CRTC_PORT, 14);
    outb(CRTC_PORT + 1, pos >> 8);
    outb(CRTC_PORT, 15);
    outb(CRTC_PORT + 1, pos);
}

// Clear the screen and home the cursor. Boot only.
void
vga_init(void)
{
    for (int i = 0; i < VGA_COLS * VGA_ROWS; i++)
        vga[i] = VGA_ATTR | ' ';
    pos = 0;
    move_cursor();
}

// Put one character, handling newline, backspace and scrolling.
void
vga_putc(int c)
{
    if (c == '\n')
        pos += VGA_COLS - pos % VGA_COLS;
    else if (c == '\b') {
        if (pos > 0)
            vga[--pos] = VGA_ATTR | ' ';
    } else if (c == '\r')
        pos -= pos % VGA_COLS;
    else if (c == '\t')
        do
            vga[pos++] = VGA_ATTR | ' ';
        while (pos % 8);
    else
        vga[pos++] = VGA_ATTR | (c & 0xFF);

    if (pos >= VGA_COLS * VGA_ROWS) { // scroll up one line
        memmove(vga, vga + VGA_COLS, sizeof(vga[0]) * VGA_COLS * (VGA_ROWS - 1));
        for (int i = 0; i < VGA_COLS; i++)
            vga[VGA_COLS * (VGA_ROWS - 1) + i] = VGA_ATTR | ' ';
        pos -= VGA_COLS;
    }
    move_cursor();
}

// Is the text s somewhere on the screen (within one row)? For the boot
// self-test that proves the banner reached the VGA console, not just COM1.
int
vga_contains(const char *s)
{
    size_t n = strlen(s);
    for (int row = 0; row < VGA_ROWS; row++)
        for (int col = 0; col + (int)n <= VGA_COLS; col++) {
            size_t i = 0;
            while (i < n && (vga[row * VGA_COLS + col + i] & 0xFF) == (uint8_t)s[i])
                i++;
            if (i == n)
                return 1;
        }
    return 0;
}
