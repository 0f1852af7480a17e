// Segments: the GDT (flat code and data segments for ring 0 and ring 3), the
// TSS every process uses for its kernel stack, and the double-fault task's TSS.
#include "kernel.h"
#include "mmu.h"
#include "trap.h"
#include "x86.h"

#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

struct tss tss;      // TSS.esp0 = top of the running process's kernel stack
struct tss df_tss;   // the double-fault task (trap.c: double_fault)
static uint8_t df_stack[4096] __attribute__((aligned(16)));
static struct segdesc gdt[NSEGS];

// Where the function receiver's fast path puts its stack: just below the slot
// of the outermost trap frame at the top of the kernel stack, so that the
// frame can still be built there if the call takes the slow path (fcall.asm).
uint32_t fcall_stack;

#define SEG_CODE 0x9A  // present, ring 0, code, readable
#define SEG_DATA 0x92  // present, ring 0, data, writable
#define SEG_TSS32 0x89 // present, ring 0, 32-bit available TSS
#define SEG_4K_32 0xC0 // 4 KiB granularity, 32-bit

// A descriptor for the segment at base with limit (in 4 KiB units when flags
// has SEG_4K_32's granularity bit, else in bytes), access byte and flags.
static struct segdesc
seg(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (struct segdesc){
        .limit_lo = limit & 0xFFFF,
        .base_lo = base & 0xFFFF,
        .base_mid = (base >> 16) & 0xFF,
        .access = access,
        .flags_limit_hi = flags | ((limit >> 16) & 0x0F),
        .base_hi = base >> 24,
    };
}

extern void df_task_entry(void); // trapasm.asm
extern uint32_t boot_pgdir[];     // boot/entry.asm

// Load the GDT (flat code and data for rings 0 and 3, the TSS, the double-fault
// TSS), reload every segment register and load the task register. Boot only,
// interrupts off; TSS.esp0 is filled later, per process, by tss_set_kstack.
void
gdt_init(void)
{
    gdt[GDT_KCODE] = seg(0, 0xFFFFF, SEG_CODE, SEG_4K_32);
    gdt[GDT_KDATA] = seg(0, 0xFFFFF, SEG_DATA, SEG_4K_32);
    // BEGIN LAB 1: the ring-3 code and data segments
    // STUB: printk("lab 1: no ring-3 segments in the GDT yet: the first return to ring 3 will fault\n");
    gdt[GDT_UCODE] = seg(0, 0xFFFFF, SEG_CODE | (DPL_USER << 5), SEG_4K_32);
    gdt[GDT_UDATA] = seg(0, 0xFFFFF, SEG_DATA | (DPL_USER << 5), SEG_4K_32);
    // END LAB 1
    // BEGIN LAB 1: the TSS descriptor and the ring-0 stack segment
    // STUB: printk("lab 1: no TSS yet: the first entry from ring 3 will find no kernel stack\n");
    gdt[GDT_TSS] = seg((uint32_t)&tss, sizeof(tss) - 1, SEG_TSS32, 0);
    tss.ss0 = SEL_KDATA;
    // END LAB 1
    tss.iomap = sizeof(tss); // no I/O permission bitmap: ring 3 gets no ports

    // BEGIN LAB 5: the double-fault task
    // STUB: (void)df_stack;
    // STUB: (void)df_task_entry;
    // The double-fault task runs on its own stack with the kernel's page
    // directory. Its CR3 must be valid: a task switch loads it.
    gdt[GDT_DFTSS] = seg((uint32_t)&df_tss, sizeof(df_tss) - 1, SEG_TSS32, 0);
    df_tss.eip = (uint32_t)df_task_entry;
    df_tss.esp = (uint32_t)df_stack + sizeof(df_stack);
    df_tss.eflags = 0x2;
    df_tss.cs = SEL_KCODE;
    df_tss.ss = df_tss.ds = df_tss.es = SEL_KDATA;
    df_tss.fs = df_tss.gs = SEL_KDATA;
    df_tss.cr3 = V2P(boot_pgdir); // kvm_init switches it to the kernel's own
    df_tss.iomap = sizeof(df_tss);
    // END LAB 5

    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) gdtr = {sizeof(gdt) - 1, (uint32_t)gdt};
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    __asm__ volatile("ljmp %0, $1f\n1:" : : "i"(SEL_KCODE));
    __asm__ volatile("movw %w0, %%ds; movw %w0, %%es; movw %w0, %%ss;"
                     "movw %w1, %%fs; movw %w1, %%gs"
                     : : "r"(SEL_KDATA), "r"(0));
    // BEGIN LAB 1: loading the task register
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
    // END LAB 1
}

// Point the CPU at a process's kernel stack (TSS.esp0, used by every entry
// from ring 3 and by the stack move for an Smode AP) and record its page
// directory in the TSS: the double-fault task returns through that field.
void
tss_set_kstack(uint32_t esp0, uint32_t cr3)
{
    tss.esp0 = esp0;
    tss.cr3 = cr3;
    // BEGIN LAB 3: the reserved frame slot
    // STUB: fcall_stack = esp0;
    fcall_stack = esp0 - TF_SIZE;
    // END LAB 3
    wrmsr(MSR_SYSENTER_ESP, fcall_stack, 0); // sysenter.asm: the same slot rule
}

// The sysenter/sysexit path (sysenter.asm), bench's second baseline:
// entered untraced until trace.c says otherwise.
void
sysenter_init(void)
{
    wrmsr(MSR_SYSENTER_CS, SEL_KCODE, 0); // sysexit then loads SEL_UCODE, SEL_UDATA
    sysenter_set_entry(0);
}

// Make sysenter enter at sysenter_entry_traced (traced) or at sysenter_entry
// (trace.c).
void
sysenter_set_entry(int traced)
{
    extern void sysenter_entry(void), sysenter_entry_traced(void);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)(traced ? sysenter_entry_traced : sysenter_entry), 0);
}

// ---- reading descriptors back (test=gdt checks them) ----

// Decode one 8-byte descriptor into *d. lo and hi are its two doublewords
// as the Intel SDM draws them (vol. 3, "Segment Descriptors", "TSS
// Descriptor", "IDT Descriptors"): lo at the descriptor's address, hi at +4. Every descriptor has P, DPL, S and a
// type; a segment (code, data, TSS, LDT) has a base and a limit, which *d
// gives in bytes (granularity applied); a gate (S clear and type bit 2 set)
// has a selector and an offset. The fields that do not apply are 0.
void
desc_decode(uint32_t lo, uint32_t hi, struct descinfo *d)
{
    // BEGIN LAB 1: decoding a descriptor
    // STUB: (void)lo, (void)hi, (void)d;
    // STUB: panic("lab 1: desc_decode is not written yet (docs/labs/lab1.md, Exercise 5)");
    *d = (struct descinfo){0};
    d->present = (hi >> 15) & 1;
    d->dpl = (hi >> 13) & 3;
    d->system = !((hi >> 12) & 1);
    d->type = (hi >> 8) & 0xF;
    d->gate = d->system && (d->type & 4); // task, call, interrupt and trap gates
    if (d->gate) {
        d->sel = lo >> 16;
        d->offset = (hi & 0xFFFF0000) | (lo & 0xFFFF);
        return;
    }
    d->base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
    d->limit = (lo & 0xFFFF) | (hi & 0x000F0000);
    if (hi & (1u << 23)) // G: the limit counts 4 KiB units
        d->limit = (d->limit << 12) | 0xFFF;
    d->big = (hi >> 22) & 1;
    // END LAB 1
}

// What sgdt and sidt store (Intel SDM vol. 3, "Global Descriptor Table"):
// the table's limit (its size in bytes, less 1) and its linear base address.
struct tablereg {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

// gdt_decode (idt_decode): decode the GDT (IDT) the CPU uses now, the one
// its GDTR (IDTR) points at, whichever that is: entry i into out[i] for
// every i < max (out[max] and on are never written). Returns the number of
// entries the table has, which may be more than max.
// BEGIN LAB 1: reading the tables the CPU uses
// STUB: int
// STUB: gdt_decode(struct descinfo *out, int max)
// STUB: {
// STUB:     (void)out, (void)max;
// STUB:     panic("lab 1: gdt_decode is not written yet (docs/labs/lab1.md, Exercise 6)");
// STUB: }
// STUB:
// STUB: int
// STUB: idt_decode(struct descinfo *out, int max)
// STUB: {
// STUB:     (void)out, (void)max;
// STUB:     panic("lab 1: idt_decode is not written yet (docs/labs/lab1.md, Exercise 6)");
// STUB: }
// The descriptors of the table r describes into out[0..max-1]; how many
// it has.
static int
table_decode(struct tablereg r, struct descinfo *out, int max)
{
    const uint32_t *w = (const uint32_t *)r.base;
    int n = (r.limit + 1) / 8;
    for (int i = 0; i < n && i < max; i++)
        desc_decode(w[2 * i], w[2 * i + 1], &out[i]);
    return n;
}

int
gdt_decode(struct descinfo *out, int max)
{
    struct tablereg r;
    __asm__ volatile("sgdt %0" : "=m"(r));
    return table_decode(r, out, max);
}

int
idt_decode(struct descinfo *out, int max)
{
    struct tablereg r;
    __asm__ volatile("sidt %0" : "=m"(r));
    return table_decode(r, out, max);
}
// END LAB 1
