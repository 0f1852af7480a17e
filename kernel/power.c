// Powering the machine off with a status, so that a test run ends by itself.
#include "kernel.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT 0xF4   // -device isa-debug-exit,iobase=0xf4: exits (v << 1) | 1
#define BOCHS_SHUTDOWN 0x8900  // Bochs ends when "Shutdown" is written here
#define ACPI_QEMU_PM 0x604     // QEMU's PIIX4 ACPI power-off (when no debug-exit device)

// Print the status, drain the UART (Bochs loses bytes otherwise) and turn the
// emulator off: QEMU with the status as its exit code, Bochs by its shutdown
// port (the harness reads the printed status there). Never returns.
void
poweroff(int status)
{
    cli();
    printk("poweroff: status %d\n", status);
    uart_flush();
    int v = status < 0 || status > 0x7F ? 0x7D : status;
    outb(QEMU_DEBUG_EXIT, (uint8_t)v);
    for (const char *s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN, (uint8_t)*s);
    outw(ACPI_QEMU_PM, 0x2000);
    for (;;)
        hlt();
}
