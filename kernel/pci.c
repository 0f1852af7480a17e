// The PCI bus: a scan of configuration space by configuration mechanism #1
// (PCI Local Bus Specification 3.0, 3.2.2.3.2). A 32-bit write to
// CONFIG_ADDRESS (port 0xCF8) selects bus, device, function and register;
// CONFIG_DATA (port 0xCFC) then reads or writes that register's dword.
// Boot only (pci_init before the drivers that call pci_find), interrupts off.
#include "kernel.h"
#include "x86.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_ENABLE_BIT 0x80000000u

// Configuration-space registers (type 0 header) and bits.
#define PCI_ID 0x00          // vendor (low 16 bits), device (high)
#define PCI_COMMAND 0x04     // command (low 16), status (high)
#define PCI_CLASS 0x08       // revision (byte 0), prog-if, subclass, class (byte 3)
#define PCI_HEADER 0x0C      // header type in byte 2; bit 7: multi-function
#define PCI_BAR0 0x10        // BARs 0..5 at 0x10, 0x14, ... 0x24
#define PCI_INTR 0x3C        // interrupt line (byte 0): the IRQ the firmware routed
#define PCI_CMD_MEMORY 0x0002     // respond to memory-space accesses
#define PCI_CMD_BUS_MASTER 0x0004 // may master the bus (DMA)
#define PCI_NO_VENDOR 0xFFFF      // what an empty slot reads as
#define PCI_MAX_FUNCS 32

static struct pci_func funcs[PCI_MAX_FUNCS]; // what pci_init found
static int nfuncs;

// The configuration dword at register reg (a multiple of 4) of bus:dev.fn.
static uint32_t
pci_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
    outl(PCI_CONFIG_ADDRESS, PCI_ENABLE_BIT | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
                                 (uint32_t)fn << 8 | (reg & 0xFC));
    return inl(PCI_CONFIG_DATA);
}

// Write the configuration dword at register reg of bus:dev.fn.
static void
pci_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg, uint32_t v)
{
    outl(PCI_CONFIG_ADDRESS, PCI_ENABLE_BIT | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
                                 (uint32_t)fn << 8 | (reg & 0xFC));
    outl(PCI_CONFIG_DATA, v);
}

// Record bus:dev.fn (known to be present) in funcs[], if there is room.
static void
pci_record(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
    if (nfuncs == PCI_MAX_FUNCS)
        return;
    struct pci_func *f = &funcs[nfuncs++];
    f->bus = bus;
    f->dev = dev;
    f->fn = fn;
    f->vendor = id & 0xFFFF;
    f->device = id >> 16;
    f->class = pci_read(bus, dev, fn, PCI_CLASS) >> 8;
    f->irq = pci_read(bus, dev, fn, PCI_INTR) & 0xFF;
    for (int i = 0; i < 6; i++)
        f->bar[i] = pci_read(bus, dev, fn, PCI_BAR0 + 4 * i);
}

// Scan every bus, device and function (functions 1..7 only of a
// multi-function device) and remember what answers; print one line.
// Boot only. (Buses behind bridges are scanned as numbered by the firmware.)
void
pci_init(void)
{
    for (int bus = 0; bus < 256; bus++)
        for (uint8_t dev = 0; dev < 32; dev++) {
            uint32_t id = pci_read(bus, dev, 0, PCI_ID);
            if ((id & 0xFFFF) == PCI_NO_VENDOR)
                continue;
            int multi = pci_read(bus, dev, 0, PCI_HEADER) & (0x80 << 16);
            for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++) {
                if (fn)
                    id = pci_read(bus, dev, fn, PCI_ID);
                if ((id & 0xFFFF) != PCI_NO_VENDOR)
                    pci_record(bus, dev, fn, id);
            }
        }
    printk("pci: %d functions\n", nfuncs);
}

// Find the first function with this vendor and device ID: copy it to *out
// and return 1, or return 0 if there is none. After pci_init.
int
pci_find(uint16_t vendor, uint16_t device, struct pci_func *out)
{
    for (int i = 0; i < nfuncs; i++)
        if (funcs[i].vendor == vendor && funcs[i].device == device) {
            *out = funcs[i];
            return 1;
        }
    return 0;
}

// Let function f decode its memory BARs and master the bus (DMA), in its
// command register (the status half is written back as zero: its bits are
// write-one-to-clear).
void
pci_enable(struct pci_func *f)
{
    uint32_t cmd = pci_read(f->bus, f->dev, f->fn, PCI_COMMAND) & 0xFFFF;
    cmd |= PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER;
    pci_write(f->bus, f->dev, f->fn, PCI_COMMAND, cmd);
}
