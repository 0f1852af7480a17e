// The 8259A interrupt controllers (remapped to vectors 32..47) and the 8253
// programmable interval timer, which interrupts HZ (100) times a second.
#include "kernel.h"
#include "trap.h"
#include "x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20          // OCW2: non-specific end of interrupt
#define PIC_SPECIFIC_EOI 0x60 // OCW2: end of interrupt for the level in bits 0-2
#define PIC_READ_IRR 0x0A     // OCW3: the command port reads the request register
#define PIC_READ_ISR 0x0B     // OCW3: ... the in-service register
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PIT_HZ 1193182 // the PIT's input clock

volatile uint32_t ticks; // timer interrupts since boot
static uint16_t irqmask = 0xFFFF & ~(1 << 2); // all masked but the cascade

// Write irqmask to both PICs (a set bit masks that IRQ line).
static void
pic_setmask(void)
{
    outb(PIC1_DATA, irqmask & 0xFF);
    outb(PIC2_DATA, irqmask >> 8);
}

// Program both 8259As: IRQs 0..15 to vectors T_IRQ0.. (clear of the CPU's
// exceptions), the slave on IRQ 2, every line masked but the cascade. Boot
// only, interrupts off.
void
pic_init(void)
{
    outb(PIC1_CMD, 0x11);          // ICW1: edge triggered, cascade, ICW4 follows
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, T_IRQ0);       // ICW2: vector base
    outb(PIC2_DATA, T_IRQ0 + 8);
    outb(PIC1_DATA, 1 << 2);       // ICW3: slave on IRQ 2
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, 0x01);         // ICW4: 8086 mode
    outb(PIC2_DATA, 0x01);
    pic_setmask();
}

// Let IRQ irq through. Updates irqmask without pushcli: boot time only.
void
pic_unmask(int irq)
{
    irqmask &= ~(1 << irq);
    pic_setmask();
}

// Acknowledge IRQ irq (at the slave too for 8..15) so that the PIC delivers
// it and lower-priority lines again. From trap(), interrupts off.
void
pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

// Acknowledge every IRQ the PICs hold in service. For deliveries that never
// reached trap(): a timer tick whose frame could not be pushed on an Smode
// program's exhausted stack ends in the double-fault task, and unacknowledged
// it would block IRQ 0 and every lower-priority line for good. Call only where
// no IRQ is being handled (trap() acknowledges each IRQ before it returns or
// yields), interrupts off.
void
pic_eoi_in_service(void)
{
    outb(PIC2_CMD, PIC_READ_ISR);
    uint8_t isr2 = inb(PIC2_CMD);
    outb(PIC1_CMD, PIC_READ_ISR);
    uint8_t isr1 = inb(PIC1_CMD);
    for (int irq = 0; irq < 8; irq++) {
        if (isr2 & (1 << irq))
            outb(PIC2_CMD, PIC_SPECIFIC_EOI | irq);
        if (isr1 & (1 << irq))
            outb(PIC1_CMD, PIC_SPECIFIC_EOI | irq);
    }
    outb(PIC2_CMD, PIC_READ_IRR); // back to the power-on read register
    outb(PIC1_CMD, PIC_READ_IRR);
}

// Start the PIT at HZ interrupts a second and unmask IRQ 0. Ticks come once
// interrupts are enabled.
void
timer_init(void)
{
    uint16_t divisor = PIT_HZ / HZ;
    outb(PIT_MODE, 0x34); // channel 0, low then high byte, rate generator
    outb(PIT_CH0, divisor & 0xFF);
    outb(PIT_CH0, divisor >> 8);
    pic_unmask(IRQ_TIMER);
}
