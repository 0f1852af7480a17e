// COM1 serial port (16550 UART). Output is polled: wait for THRE before each
// byte (Bochs garbles characters otherwise); input raises IRQ 4.
#include "kernel.h"
#include "trap.h"
#include "x86.h"

#define COM1 0x3F8
#define UART_DATA 0     // receive / transmit buffer (DLAB=0)
#define UART_IER 1      // interrupt enable (DLAB=0)
#define UART_DLL 0      // divisor latch low (DLAB=1)
#define UART_DLM 1      // divisor latch high (DLAB=1)
#define UART_FCR 2      // FIFO control
#define UART_LCR 3      // line control
#define UART_MCR 4      // modem control
#define UART_LSR 5      // line status
#define LSR_DR 0x01     // data ready
#define LSR_THRE 0x20   // transmit holding register empty
#define LSR_TEMT 0x40   // transmitter empty (shift register too)

static int present;

// Set COM1 to 115200 baud 8N1 without FIFO and enable its receive interrupt
// (kmain unmasks IRQ 4 at the PIC later). With no UART there, output is dropped
// from then on. Boot only, interrupts off.
void
uart_init(void)
{
    outb(COM1 + UART_IER, 0x00);   // no interrupts while we configure
    outb(COM1 + UART_LCR, 0x80);   // DLAB on: set the divisor
    outb(COM1 + UART_DLL, 1);      // 115200 baud
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, 0x03);   // 8 bits, no parity, 1 stop bit, DLAB off
    outb(COM1 + UART_FCR, 0x00);   // no FIFO: enabling it would drop a byte that
                                   // arrived before boot (QEMU resets the FIFOs)
    outb(COM1 + UART_MCR, 0x0B);   // DTR, RTS, OUT2 (OUT2 gates the IRQ line)
    if (inb(COM1 + UART_LSR) == 0xFF)
        return;                    // no UART here
    present = 1;
    outb(COM1 + UART_IER, 0x01);   // interrupt when data arrives (bytes that are
                                   // already waiting raise it too: keep them)
}

// Send c to COM1 ('\n' as "\r\n"), busy-waiting for the transmitter for a
// bounded time (a stuck UART loses bytes rather than hang the kernel). The
// caller keeps interrupts off (console_putc). No-op without a UART.
void
uart_putc(int c)
{
    if (!present)
        return;
    if (c == '\n')
        uart_putc('\r');
    for (int i = 0; i < 1000000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
        ;
    outb(COM1 + UART_DATA, (uint8_t)c);
}

// Wait until every byte has left the UART (before powering off).
void
uart_flush(void)
{
    for (int i = 0; present && i < 1000000 && !(inb(COM1 + UART_LSR) & LSR_TEMT); i++)
        ;
}

// IRQ 4: hand every received byte to the console.
void
uart_intr(void)
{
    while (present && (inb(COM1 + UART_LSR) & LSR_DR)) {
        int c = inb(COM1 + UART_DATA);
        console_input(c == '\r' ? '\n' : c == 0x7F ? '\b' : c);
    }
}
