// Powering the machine off with a status, so that a test run ends by itself.
#include "kernel.h"
#include "trace.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT 0xF4   // -device isa-debug-exit,iobase=0xf4: exits (v << 1) | 1
#define BOCHS_SHUTDOWN 0x8900  // Bochs ends when "Shutdown" is written here
#define ACPI_QEMU_PM 0x604     // QEMU's PIIX4 ACPI power-off (when no debug-exit device)

// Turn the emulator off with value v (0..127): QEMU exits with (v << 1) | 1
// (isa-debug-exit), Bochs by its shutdown port; the harness reads the
// printed "poweroff: status N" there. Drains the UART first (Bochs loses
// bytes otherwise). Never returns.
static void NORETURN
emulator_off(int v)
{
    cli();
    if (trace_mask)
        trace_dump(); // the trace's last events, before the line the harness waits for
    printk("poweroff: status %d\n", v);
    uart_flush();
    outb(QEMU_DEBUG_EXIT, (uint8_t)v);
    for (const char *s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN, (uint8_t)*s);
    outw(ACPI_QEMU_PM, 0x2000);
    for (;;)
        hlt();
}

// Power off with the first process's exit status. Only 7 bits reach QEMU,
// and 126 and 127 are the kernel's own (power_fail), so statuses fold to
// 0..125: 0..124 as they are, 125 for anything else (a killed first process
// included).
void
poweroff(int status)
{
    int v = status >= 0 && status <= POWER_MAX ? status : POWER_MAX + 1;
    if (v != status)
        printk("poweroff: exit status %d (0x%x) folded to %d\n", status, status, v);
    emulator_off(v);
}

// Power off because the kernel cannot go on: POWER_PANIC or POWER_NOINIT.
void
power_fail(int code)
{
    emulator_off(code);
}
