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
#define PIC_POLL 0x0C         // OCW3: the next read acknowledges the highest request
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PIT_HZ 1193182 // the PIT's input clock

volatile uint32_t ticks; // timer interrupts since boot
static const uint16_t divisor = PIT_HZ / HZ;
static uint32_t tickseed; // tickseed=N: the state of the periods' jitter, 0 = none
static uint16_t irqmask = 0xFFFF & ~(1 << IRQ_CASCADE); // all masked but the cascade

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
    outb(PIC1_DATA, 1 << IRQ_CASCADE); // ICW3: slave on IRQ 2
    outb(PIC2_DATA, IRQ_CASCADE);
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

// The IRQs the PICs hold in service: bit n for IRQ n (with a slave IRQ, the
// master holds IRQ_CASCADE too). Interrupts off.
uint16_t
pic_in_service(void)
{
    outb(PIC2_CMD, PIC_READ_ISR);
    uint8_t isr2 = inb(PIC2_CMD);
    outb(PIC1_CMD, PIC_READ_ISR);
    uint8_t isr1 = inb(PIC1_CMD);
    outb(PIC2_CMD, PIC_READ_IRR); // back to the power-on read register
    outb(PIC1_CMD, PIC_READ_IRR);
    return (uint16_t)(isr2 << 8 | isr1);
}

// Is this delivery of IRQ irq spurious? The 8259 gives its lowest-priority
// vector (IRQ 7, or 15 at the slave) when a request went away before the
// CPU acknowledged it; then that line is not in service, and an EOI would
// end whichever IRQ is (a non-specific EOI ends the highest in service).
// For a spurious 15 the master did take the cascade in service: acknowledge
// that alone. Returns 1 if spurious (then the caller does nothing more).
int
pic_spurious(int irq)
{
    if ((irq != 7 && irq != 15) || (pic_in_service() & (1u << irq)))
        return 0;
    if (irq == 15)
        outb(PIC1_CMD, PIC_SPECIFIC_EOI | IRQ_CASCADE);
    return 1;
}

// Poll the master PIC: acknowledge its highest pending request as the CPU's
// interrupt acknowledge would (the line goes in service) and return its IRQ,
// or -1 if none is pending. For selftest, interrupts off.
int
pic_poll(void)
{
    outb(PIC1_CMD, PIC_POLL);
    uint8_t v = inb(PIC1_CMD);
    return v & 0x80 ? v & 7 : -1;
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
    uint16_t isr = pic_in_service();
    for (int irq = 0; irq < 8; irq++) {
        if (isr & (0x100 << irq))
            outb(PIC2_CMD, PIC_SPECIFIC_EOI | irq);
        if (isr & (1 << irq))
            outb(PIC1_CMD, PIC_SPECIFIC_EOI | irq);
    }
}

// Load count into PIT channel 0 (rate generator).
static void
pit_load(uint16_t count)
{
    outb(PIT_MODE, 0x34); // channel 0, low then high byte, rate generator
    outb(PIT_CH0, count & 0xFF);
    outb(PIT_CH0, count >> 8);
}

// With tickseed=N, the length of the next timer period: the regular one
// plus or minus up to 1/16, from a xorshift sequence that starts at N. Every
// tick then lands at a phase of its own, and the phases differ from seed to
// seed, so preemption hits different instructions. (A phase shift of the
// first tick alone would not last: the first time the CPU idles, it wakes on
// a tick and is back in step with the grid.) The mean rate stays HZ.
static uint16_t
next_period(void)
{
    tickseed ^= tickseed << 13;
    tickseed ^= tickseed >> 17;
    tickseed ^= tickseed << 5;
    return (uint16_t)(divisor - divisor / 16 + tickseed % (divisor / 8));
}

// Start the PIT at HZ interrupts a second and unmask IRQ 0. Ticks come once
// interrupts are enabled. The kernel option tickseed=N (N > 0) jitters the
// periods (next_period). Under QEMU's -icount the run is deterministic, so the
// seed that exposes a race replays it exactly.
void
timer_init(void)
{
    tickseed = cmdline_get_uint("tickseed", 0);
    if (tickseed) {
        printk("timer: tickseed %u: every period jittered by up to 1/16\n", tickseed);
        pit_load(next_period());
    } else {
        pit_load(divisor);
    }
    pic_unmask(IRQ_TIMER);
}

// A timer interrupt (from trap(), interrupts off): count it, wake sleepers,
// and with tickseed= give the PIT its next period.
void
timer_intr(void)
{
    if (tickseed)
        pit_load(next_period());
    ticks++;
    wakeup((void *)&ticks);
    net_tick();
}
