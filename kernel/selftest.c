// Kernel-level self-tests, chosen with test=NAME on the command line (the
// harness boots one per run). Each prints "selftest NAME: PASS" or
// "selftest NAME: FAIL: why" and powers off with status 0 or 1.
#include "kernel.h"
#include "mmu.h"
#include "net.h"
#include "proc.h"
#include "trap.h"
#include "x86.h"

#define CHECK(cond, why)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printk("selftest %s: FAIL: %s\n", current, why);                   \
            poweroff(1);                                                       \
        }                                                                      \
    } while (0)

static const char *current;

// The banner reached both consoles: the harness reads COM1; here we read
// the VGA text memory back.
static void
t_banner(void)
{
    CHECK(vga_contains("DMSM teaching OS (i386): booting"), "banner not on the VGA screen");
}

// The PIT interrupts: ticks advance while we halt with interrupts on.
static void
t_timer(void)
{
    uint32_t start = ticks;
    sti();
    while (ticks - start < 10)
        hlt();
    cli();
    printk("timer: %u ticks at %d Hz\n", ticks - start, HZ);
    CHECK(ticks - start >= 10, "ticks did not advance");
}

#define NTEST_FRAMES 200

// Frames come back distinct, zeroed and page-aligned; freeing restores the count.
static void
t_frames(void)
{
    static uint32_t pa[NTEST_FRAMES];
    uint32_t before = frames_free();
    for (int i = 0; i < NTEST_FRAMES; i++) {
        pa[i] = frame_alloc();
        CHECK(pa[i] && pa[i] % PGSIZE == 0 && pa[i] < phystop, "bad frame address");
        uint32_t *w = P2V(pa[i]);
        for (uint32_t j = 0; j < PGSIZE / 4; j++)
            CHECK(w[j] == 0, "frame not zeroed");
        for (uint32_t j = 0; j < PGSIZE / 4; j++)
            w[j] = pa[i] ^ j;
    }
    for (int i = 0; i < NTEST_FRAMES; i++) {
        uint32_t *w = P2V(pa[i]);
        for (uint32_t j = 0; j < PGSIZE / 4; j++)
            CHECK(w[j] == (pa[i] ^ j), "frames overlap");
    }
    CHECK(frames_free() == before - NTEST_FRAMES, "free count wrong after allocation");
    frame_pin(pa[0]);
    CHECK(frame_pincount(pa[0]) == 1 && frames_pinned() >= 1, "pin not counted");
    frame_unpin(pa[0]);
    for (int i = 0; i < NTEST_FRAMES; i++)
        frame_free(pa[i]);
    CHECK(frames_free() == before, "free count not restored");
    printk("frames: %u total, %u free\n", frames_total(), frames_free());
}

// kmalloc gives aligned, non-overlapping blocks; kfree returns them all.
static void
t_heap(void)
{
    static uint8_t *blk[64];
    uint32_t used = kheap_used();
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 64; i++) {
            size_t n = 16 + (size_t)i * 97;
            blk[i] = kmalloc(n);
            CHECK(blk[i] && ((uint32_t)blk[i] & 15) == 0, "kmalloc failed or misaligned");
            memset(blk[i], i, n);
        }
        for (int i = 0; i < 64; i++)
            for (size_t j = 0; j < 16 + (size_t)i * 97; j++)
                CHECK(blk[i][j] == (uint8_t)i, "heap blocks overlap");
        for (int i = 0; i < 64; i += 2)
            kfree(blk[i]);
        for (int i = 1; i < 64; i += 2)
            kfree(blk[i]);
    }
    CHECK(kheap_used() == used, "heap usage not restored");
    uint8_t *big = kmalloc(512 * 1024); // freed neighbours merge into one block
    CHECK(big != 0, "free blocks did not merge");
    kfree(big);
}

// The backtrace knows the kernel's function names.
static void
t_symbols(void)
{
    uint32_t off;
    const char *name = ksym_lookup((uint32_t)t_symbols + 3, &off);
    CHECK(name && strcmp(name, "t_symbols") == 0 && off == 3, "symbol lookup wrong");
}

// A deliberate page fault in kernel code: must produce the full panic report.
static void __attribute__((noinline))
t_fault(void)
{
    printk("selftest fault: touching unmapped address 0xdead0000\n");
    *(volatile uint32_t *)0xDEAD0000 = 1;
    CHECK(0, "the fault did not happen");
}

// A deliberate panic(): must print the full panic report and power off with
// POWER_PANIC, so it never reaches PASS.
static void __attribute__((noinline))
t_panic(void)
{
    panic("deliberate panic from selftest %s", current);
}

// A spurious IRQ 7 or 15 is not acknowledged: an EOI for it would end the
// IRQ that really is in service. Put the timer's IRQ in service (polling the
// master acknowledges its request as the CPU would), hand irq_handle a
// spurious 7 and a spurious 15, and the timer must still be in service.
static void
t_spurious(void)
{
    uint32_t start = ticks;
    sti();
    while (ticks == start) // the PIT runs: its next request is under 10 ms away
        hlt();
    cli();
    int irq;
    while ((irq = pic_poll()) != IRQ_TIMER)
        CHECK(irq < 0, "an IRQ other than the timer's was pending");
    CHECK(pic_in_service() == 1u << IRQ_TIMER, "the timer's IRQ is not in service");
    irq_handle(7);
    CHECK(pic_in_service() == 1u << IRQ_TIMER, "a spurious IRQ 7 was acknowledged");
    irq_handle(15);
    CHECK(pic_in_service() == 1u << IRQ_TIMER, "a spurious IRQ 15 was acknowledged");
    pic_eoi(IRQ_TIMER);
    CHECK(pic_in_service() == 0, "the timer's EOI did not end it");
    printk("spurious: IRQ 7 and 15 without an in-service bit were not acknowledged\n");
}

// vformat, through snprintk: every conversion, flag, width and length it
// claims, and the truncation snprintk promises (the full length returned).
static void
t_printk(void)
{
    static const struct {
        const char *want;
        int len;
    } cases[] = {{"42|-7|0x0000002a|  5|5  |-0007|0017|ab|abc  |c|%", 48},
                 {"18446744073709551615|-9223372036854775808|FF", 44}};
    char buf[64];
    int n = snprintk(buf, sizeof buf, "%d|%i|0x%p|%3u|%-3d|%05d|%04o|%.2s|%-5s|%c|%%", 42, -7,
                     (void *)42, 5, 5, -7, 15, "abcdef", "abc", 'c');
    CHECK(n == cases[0].len && strcmp(buf, cases[0].want) == 0, buf);
    n = snprintk(buf, sizeof buf, "%llu|%lld|%X", ~0ull, (long long)(1ull << 63), 255);
    CHECK(n == cases[1].len && strcmp(buf, cases[1].want) == 0, buf);
    n = snprintk(buf, 4, "%s", "truncated");
    CHECK(n == 9 && strcmp(buf, "tru") == 0, "snprintk: truncation");
    printk("printk: every conversion formats as it should\n");
}

#ifdef DMSM_METHOD_A
// The bytes libsys/syscall.asm's mode test assembles to, after the number
// is loaded: cmp dword [MODEPAGE + MP_MODE], MODE_SMODE; je .call; int 0x80;
// jmp .back; .call: call [MODEPAGE + MP_FCALL]; .back: ret. Then the same
// with a near je (0F 84 rel32), and a je whose target is no call.
#define MP(off) (MODEPAGE + (off)) & 0xFF, (MODEPAGE + (off)) >> 8 & 0xFF, \
                (MODEPAGE + (off)) >> 16 & 0xFF, (MODEPAGE + (off)) >> 24
static const uint8_t stub_code[] = {
    0x83, 0x3D, MP(MP_MODE), MODE_SMODE, // 0: cmp (state Y1)
    0x74, 0x04,                          // 7: je +4 (Y2 when taken)
    0xCD, 0x80,                          // 9: int 0x80
    0xEB, 0x06,                          // 11: jmp +6 (Y3)
    0xFF, 0x15, MP(MP_FCALL),            // 13: call [MODEPAGE + MP_FCALL] (Y2)
    0xC3,                                // 19: ret (Y3)
    0x0F, 0x84, 0x02, 0x00, 0x00, 0x00,  // 20: je near +2 (Y2)
    0xCD, 0x80,                          // 26: int 0x80
    0xFF, 0x15, MP(MP_FCALL),            // 28: call [...]
    0x74, 0x02,                          // 34: je +2, to no call
    0x90, 0x90, 0xC3,                    // 36: nop, nop, ret
};

// method (a)'s checks (mode.c, methoda=safe): asked about a preempted Smode
// process at each instruction of a stub, and at the function receiver's
// instructions on the program's stack (state Z0: its first, and the pop
// ebp; ret after its mov esp, ebp), only the Y2 and Z0 ones are unsafe for
// a switch to Umode; a switch to Smode is always safe.
static void
t_methoda(void)
{
    static struct proc t;
    extern uint8_t fcall_entry[];
    t.mode = MODE_SMODE;
    t.vm.pgdir = uvm_create();
    t.vm.brk = USERBASE + PGSIZE;
    CHECK(t.vm.pgdir && uvm_alloc(&t.vm, USERBASE, USERBASE + PGSIZE, PTE_U) == 0 &&
          uvm_load(&t.vm, USERBASE, stub_code, sizeof stub_code) == 0, "no memory for the stub");
    static const struct {
        uint32_t off;
        int safe;
    } at[] = {{0, 1}, {7, 0}, {9, 1}, {11, 1}, {13, 0}, {19, 1}, {20, 0}, {26, 1}, {28, 0},
              {34, 1}, {36, 1}};
    struct trapframe tf = {.cs = SEL_KCODE, .esp = USTACKTOP - 16};
    for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
        tf.eip = USERBASE + at[i].off;
        CHECK(method_a_safe_now(&t, &tf, MODE_UMODE) == at[i].safe,
              at[i].safe ? "a stub instruction outside Y2 taken for Y2" : "a Y2 instruction missed");
        CHECK(method_a_safe_now(&t, &tf, MODE_SMODE), "a switch to Smode refused");
    }
    uint8_t *epilogue = fcall_entry; // mov esp, ebp; pop ebp; ret
    while (epilogue < fcall_entry + 256 &&
           !(epilogue[0] == 0x89 && epilogue[1] == 0xEC && epilogue[2] == 0x5D && epilogue[3] == 0xC3))
        epilogue++;
    CHECK(epilogue < fcall_entry + 256, "no mov esp, ebp; pop ebp; ret in fcall_entry");
    uint32_t z0[] = {(uint32_t)fcall_entry, (uint32_t)fcall_entry + 1, (uint32_t)epilogue + 2,
                     (uint32_t)epilogue + 3};
    for (size_t i = 0; i < ARRAY_SIZE(z0); i++) {
        tf.eip = z0[i];
        CHECK(!method_a_safe_now(&t, &tf, MODE_UMODE), "an instruction of state Z0 missed");
    }
    uvm_free(&t.vm);
    printk("methoda: the checks find Y2 and Z0 and nothing else\n");
}
#endif

// ---- test=gdt: lab 1's descriptor decoder (gdt.c: desc_decode, gdt_decode,
// idt_decode), against hand-made descriptors, scratch tables, and what
// gdt_init and idt_init meant to set ----

// The two doublewords of a segment descriptor (Intel SDM vol. 3, "Segment
// Descriptors") with this base, 20-bit limit, access byte (P, DPL, S, type)
// and flags nibble (G, D/B, L, AVL); and of a gate ("IDT Descriptors") to
// sel:off with this attribute byte (P, DPL, type).
#define SEG_LO(base, limit) ((((base)&0xFFFFu) << 16) | ((limit)&0xFFFFu))
#define SEG_HI(base, limit, access, flags)                                                         \
    (((base)&0xFF000000u) | ((flags) << 20) | ((limit)&0xF0000u) | ((access) << 8) |               \
     (((base) >> 16) & 0xFFu))
#define GATE_LO(sel, off) (((sel) << 16) | ((off)&0xFFFFu))
#define GATE_HI(off, attr) (((off)&0xFFFF0000u) | ((attr) << 8))

static char why[200];

// Does got differ from want? If so, why[] names the first field that does.
static int
desc_differ(const struct descinfo *got, const struct descinfo *want)
{
    const struct {
        const char *name;
        uint32_t got, want;
    } f[] = {{"present", got->present, want->present},
             {"dpl", got->dpl, want->dpl},
             {"system", got->system, want->system},
             {"type", got->type, want->type},
             {"gate", got->gate, want->gate},
             {"big", got->big, want->big},
             {"base", got->base, want->base},
             {"limit", got->limit, want->limit},
             {"sel", got->sel, want->sel},
             {"offset", got->offset, want->offset}};
    for (size_t i = 0; i < ARRAY_SIZE(f); i++)
        if (f[i].got != f[i].want) {
            snprintk(why, sizeof why, "%s 0x%x, expected 0x%x", f[i].name, f[i].got, f[i].want);
            return 1;
        }
    return 0;
}

// Descriptors made by hand for desc_decode, each field a different value:
// both granularities, every DPL, code and data with type bit 2 set (not
// gates), system segments, every kind of gate, not-present ones.
static const struct {
    const char *what;
    uint32_t lo, hi;
    struct descinfo want;
} hand_made[] = {
    {"the null descriptor", 0, 0, {.system = 1}},
    {"flat ring-3 data, 4 KiB units, accessed",
     SEG_LO(0, 0xFFFFF),
     SEG_HI(0, 0xFFFFF, 0xF3, 0xC),
     {.present = 1, .dpl = 3, .type = 3, .big = 1, .limit = 0xFFFFFFFF}},
    {"ring-2 data at 0xa1b2c3d4, byte units",
     SEG_LO(0xA1B2C3D4, 0x5E6F7),
     SEG_HI(0xA1B2C3D4, 0x5E6F7, 0xD2, 0x4),
     {.present = 1, .dpl = 2, .type = 2, .big = 1, .base = 0xA1B2C3D4, .limit = 0x5E6F7}},
    {"conforming ring-1 code at 0x00c0ffee, 4 KiB units",
     SEG_LO(0x00C0FFEE, 0x12345),
     SEG_HI(0x00C0FFEE, 0x12345, 0xBE, 0xC),
     {.present = 1, .dpl = 1, .type = 0xE, .big = 1, .base = 0x00C0FFEE, .limit = 0x12345FFF}},
    {"not-present 16-bit expand-down data",
     SEG_LO(0x89ABCDEF, 0x0FEDC),
     SEG_HI(0x89ABCDEF, 0x0FEDC, 0x16, 0x0),
     {.type = 6, .base = 0x89ABCDEF, .limit = 0xFEDC}},
    {"an available 32-bit TSS",
     SEG_LO(0xC0115180, 0x67),
     SEG_HI(0xC0115180, 0x67, 0x89, 0x0),
     {.present = 1, .system = 1, .type = 9, .base = 0xC0115180, .limit = 0x67}},
    {"a busy ring-3 32-bit TSS, 4 KiB units",
     SEG_LO(0x00345678, 0x00001),
     SEG_HI(0x00345678, 0x00001, 0xEB, 0x8),
     {.present = 1, .dpl = 3, .system = 1, .type = 0xB, .base = 0x00345678, .limit = 0x1FFF}},
    {"an LDT",
     SEG_LO(0x0BADCAFE, 0xFFFF),
     SEG_HI(0x0BADCAFE, 0xFFFF, 0x82, 0x0),
     {.present = 1, .system = 1, .type = 2, .base = 0x0BADCAFE, .limit = 0xFFFF}},
    {"a ring-3 32-bit interrupt gate",
     GATE_LO(0x1234, 0xDEADBEEF),
     GATE_HI(0xDEADBEEF, 0xEE),
     {.present = 1,
      .dpl = 3,
      .system = 1,
      .type = 0xE,
      .gate = 1,
      .sel = 0x1234,
      .offset = 0xDEADBEEF}},
    {"a ring-2 32-bit trap gate",
     GATE_LO(0x0008, 0x13572468),
     GATE_HI(0x13572468, 0xCF),
     {.present = 1,
      .dpl = 2,
      .system = 1,
      .type = 0xF,
      .gate = 1,
      .sel = 0x8,
      .offset = 0x13572468}},
    {"a task gate",
     GATE_LO(0x0030, 0),
     GATE_HI(0, 0x85),
     {.present = 1, .system = 1, .type = 5, .gate = 1, .sel = 0x30}},
    {"a not-present ring-1 16-bit interrupt gate",
     GATE_LO(0x0010, 0xCAFEF00D),
     GATE_HI(0xCAFEF00D, 0x26),
     {.dpl = 1, .system = 1, .type = 6, .gate = 1, .sel = 0x10, .offset = 0xCAFEF00D}},
};

// desc_decode on every hand-made descriptor.
static void
gdt_check_decoder(void)
{
    static char msg[sizeof why + 120];
    for (size_t i = 0; i < ARRAY_SIZE(hand_made); i++) {
        struct descinfo got;
        memset(&got, 0xA5, sizeof got); // a field left unwritten shows
        desc_decode(hand_made[i].lo, hand_made[i].hi, &got);
        int differ = desc_differ(&got, &hand_made[i].want);
        snprintk(msg, sizeof msg, "desc_decode(0x%08x, 0x%08x), %s: %s", hand_made[i].lo,
                 hand_made[i].hi, hand_made[i].what, why);
        CHECK(!differ, msg);
    }
    printk("gdt: desc_decode agrees on %u hand-made descriptors\n",
           (unsigned)ARRAY_SIZE(hand_made));
}

// The pseudo-descriptor lgdt, lidt, sgdt and sidt use.
struct tablereg {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

// gdt_decode and idt_decode read the tables the CPU uses (GDTR, IDTR), of
// whatever size: here a scratch copy of each, one entry longer, is loaded
// while they run. And they never write out[] at max or beyond.
static void
gdt_check_tables_read(void)
{
    enum { NIDT = 0x31 }; // the scratch IDT: vectors 0-0x2f, and 0x30
    static uint32_t sgdt_copy[2 * (NSEGS + 1)], sidt_copy[2 * NIDT];
    static struct descinfo out[NIDT + 1];
    const struct descinfo extra_seg = {
        .present = 1, .dpl = 2, .type = 2, .big = 1, .base = 0x00400000, .limit = 0x3FFF};
    const struct descinfo extra_gate = {.present = 1,
                                        .dpl = 2,
                                        .system = 1,
                                        .type = 0xF,
                                        .gate = 1,
                                        .sel = 0x8,
                                        .offset = 0x13572468};
    struct tablereg gdtr, idtr, r;
    pushcli();
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    memcpy(sgdt_copy, (void *)gdtr.base, NSEGS * 8);
    sgdt_copy[2 * NSEGS] = SEG_LO(0x00400000u, 0x3u);
    sgdt_copy[2 * NSEGS + 1] = SEG_HI(0x00400000u, 0x3u, 0xD2u, 0xCu);
    memcpy(sidt_copy, (void *)idtr.base, (NIDT - 1) * 8);
    sidt_copy[2 * (NIDT - 1)] = GATE_LO(0x8u, 0x13572468u);
    sidt_copy[2 * (NIDT - 1) + 1] = GATE_HI(0x13572468u, 0xCFu);
    r = (struct tablereg){sizeof sgdt_copy - 1, (uint32_t)sgdt_copy};
    __asm__ volatile("lgdt %0" : : "m"(r));
    int ngdt = gdt_decode(out, NIDT + 1);
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    int gdt_extra_differs = desc_differ(&out[NSEGS], &extra_seg);
    r = (struct tablereg){sizeof sidt_copy - 1, (uint32_t)sidt_copy};
    __asm__ volatile("lidt %0" : : "m"(r));
    int nidt = idt_decode(out, NIDT + 1);
    __asm__ volatile("lidt %0" : : "m"(idtr));
    popcli();
    snprintk(why, sizeof why, "gdt_decode: GDTR holds a scratch GDT of %d entries; it said %d",
             NSEGS + 1, ngdt);
    CHECK(ngdt == NSEGS + 1, why);
    CHECK(!gdt_extra_differs,
          "gdt_decode: the scratch GDT's entry 7 (ring-2 data at 0x00400000) is not in out[7]");
    snprintk(why, sizeof why, "idt_decode: IDTR holds a scratch IDT of %d entries; it said %d",
             NIDT, nidt);
    CHECK(nidt == NIDT, why);
    CHECK(!desc_differ(&out[NIDT - 1], &extra_gate),
          "idt_decode: the scratch IDT's gate 0x30 (a ring-2 trap gate) is not in out[0x30]");
    static struct descinfo few[256]; // room for a reader that writes them all
    memset(few, 0xA5, sizeof few);
    CHECK(gdt_decode(few, 2) == NSEGS, "gdt_decode(out, 2) must still return the whole GDT's size");
    CHECK(few[1].present && !few[1].system && (few[1].type & 8),
          "gdt_decode(out, 2): out[1] is not the kernel code segment");
    CHECK(((uint8_t *)&few[2])[0] == 0xA5 && ((uint8_t *)&few[2])[sizeof few[2] - 1] == 0xA5,
          "gdt_decode(out, 2) wrote out[2]");
    memset(few, 0xA5, sizeof few);
    CHECK(idt_decode(few, 1) == 256, "idt_decode(out, 1) must still return the whole IDT's size");
    CHECK(((uint8_t *)&few[1])[0] == 0xA5, "idt_decode(out, 1) wrote out[1]");
    printk("gdt: gdt_decode and idt_decode read GDTR and IDTR and stop at max\n");
}

// What kind of descriptor d is, in words (the SDM's names of the system types).
static const char *
desc_kind(const struct descinfo *d)
{
    static const char *system[16] = {"reserved",
                                     "16-bit TSS (available)",
                                     "LDT",
                                     "16-bit TSS (busy)",
                                     "16-bit call gate",
                                     "task gate",
                                     "16-bit interrupt gate",
                                     "16-bit trap gate",
                                     "reserved",
                                     "32-bit TSS (available)",
                                     "reserved",
                                     "32-bit TSS (busy)",
                                     "32-bit call gate",
                                     "reserved",
                                     "32-bit interrupt gate",
                                     "32-bit trap gate"};
    if (d->system)
        return system[d->type & 0xF];
    return d->type & 8 ? "code" : "data";
}

// One line of the table test=gdt prints: table ("gdt" or "idt"), the
// selector or vector, then d's fields.
static void
desc_print(const char *table, uint32_t n, const struct descinfo *d)
{
    if (!d->present)
        printk("%s 0x%02x: not present\n", table, n);
    else if (d->gate)
        printk("%s 0x%02x: %s, dpl %u, target 0x%04x:0x%08x\n", table, n, desc_kind(d), d->dpl,
               d->sel, d->offset);
    else
        printk("%s 0x%02x: %s, dpl %u, base 0x%08x, limit 0x%08x%s, type 0x%x\n", table, n,
               desc_kind(d), d->dpl, d->base, d->limit, d->big ? ", 32-bit" : "", d->type);
}

// What gdt_init meant the GDT's entry i to be. Code and data segments may
// differ in type bit 0 alone, the accessed bit: the CPU sets it when a
// segment register is loaded with the segment, so it is taken from got.
static struct descinfo
gdt_meant(int i, const struct descinfo *got)
{
    extern struct tss df_tss; // gdt.c
    struct descinfo flat = {.present = 1, .big = 1, .limit = 0xFFFFFFFF};
    struct descinfo tss32 = {.present = 1, .system = 1, .limit = sizeof(struct tss) - 1};
    switch (i) {
    case GDT_KCODE:
    case GDT_UCODE:
        flat.type = 0xA | (got->type & 1);
        flat.dpl = i == GDT_UCODE ? DPL_USER : DPL_KERNEL;
        return flat;
    case GDT_KDATA:
    case GDT_UDATA:
        flat.type = 0x2 | (got->type & 1);
        flat.dpl = i == GDT_UDATA ? DPL_USER : DPL_KERNEL;
        return flat;
    case GDT_TSS: // busy: the task register holds it
        tss32.type = 0xB;
        tss32.base = (uint32_t)&tss;
        return tss32;
    case GDT_DFTSS:
        tss32.type = 0x9;
        tss32.base = (uint32_t)&df_tss;
        return tss32;
    default:
        return (struct descinfo){.system = 1}; // the null descriptor
    }
}

// What idt_init meant the IDT's gate v to be (vector_syscall_traced at
// 0x80 when tracing is on).
static struct descinfo
idt_meant(int v, const struct descinfo *got)
{
    extern uint32_t vectors[48], vector_syscall; // trapasm.asm
    extern void vector_syscall_traced(void);     // tracesys.asm
    struct descinfo g = {
        .present = 1, .system = 1, .type = GATE_INT32, .gate = 1, .sel = SEL_KCODE};
    if (v == T_DBLFLT) {
        g.type = GATE_TASK;
        g.sel = SEL_DFTSS;
    } else if (v < 48) {
        g.offset = vectors[v];
    } else if (v == T_SYSCALL) {
        g.dpl = DPL_USER;
        g.offset = got->offset == (uint32_t)vector_syscall_traced ? got->offset : vector_syscall;
    } else {
        g = (struct descinfo){.system = 1}; // never set
    }
    return g;
}

// The GDT and the IDT the CPU uses, printed (every descriptor of the GDT,
// the present gates of the IDT), then compared with what gdt_init and
// idt_init meant to set.
static void
gdt_check_live(void)
{
    static struct descinfo d[256];
    static char msg[sizeof why + 80];
    int n = gdt_decode(d, NSEGS);
    for (int i = 0; i < NSEGS; i++)
        desc_print("gdt", i << 3, &d[i]);
    snprintk(msg, sizeof msg, "gdt_decode: %d entries, but the GDT has %d", n, NSEGS);
    CHECK(n == NSEGS, msg);
    for (int i = 0; i < NSEGS; i++) {
        struct descinfo want = gdt_meant(i, &d[i]);
        int differ = desc_differ(&d[i], &want);
        snprintk(msg, sizeof msg, "gdt 0x%02x is not what gdt_init meant: %s", i << 3, why);
        CHECK(!differ, msg);
    }
    n = idt_decode(d, 256);
    snprintk(msg, sizeof msg, "idt_decode: %d entries, but the IDT has 256", n);
    CHECK(n == 256, msg);
    int present = 0;
    for (int v = 0; v < 256; v++)
        if (d[v].present) {
            desc_print("idt", v, &d[v]);
            present++;
        }
    printk("idt: %d gates present of %d\n", present, n);
    for (int v = 0; v < 256; v++) {
        struct descinfo want = idt_meant(v, &d[v]);
        int differ = desc_differ(&d[v], &want);
        snprintk(msg, sizeof msg, "idt 0x%02x is not what idt_init meant: %s", v, why);
        CHECK(!differ, msg);
    }
}

// test=gdt (lab 1): the descriptor decoder against hand-made descriptors,
// the table readers against scratch tables, and the tables the CPU uses
// printed (tests/labs.ini compares them with Bochs's `info gdt`, `info idt`)
// and compared with what gdt_init and idt_init meant to set.
static void
t_gdt(void)
{
    gdt_check_decoder();
    gdt_check_tables_read();
    gdt_check_live();
}

// test=e1000's receiver: remembers the sender of the first ARP reply from
// 10.0.2.2 (slirp's gateway) to 10.0.2.15. Interrupt handler, interrupts off.
static volatile int arp_answered;
static uint8_t arp_mac[6];

static void
arp_receiver(const void *frame, uint32_t len)
{
    static const uint8_t reply_head[] = {0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2};
    static const uint8_t gateway[4] = {10, 0, 2, 2}, us[4] = {10, 0, 2, 15};
    const uint8_t *f = frame;
    if (len < 42 || arp_answered || memcmp(f + 12, reply_head, sizeof reply_head) != 0)
        return; // not an ARP reply (type, hardware Ethernet, protocol IPv4, op 2)
    if (memcmp(f + 28, gateway, 4) != 0 || memcmp(f + 38, us, 4) != 0)
        return; // sender IP at 28, target IP at 38
    memcpy(arp_mac, f + 22, 6); // sender MAC
    arp_answered = 1;
}

// test=e1000 (needs QEMU's -device e1000 on user networking): transmit an
// ARP request for 10.0.2.2 from 10.0.2.15 and wait, halting with interrupts
// on, up to 2 seconds of ticks for slirp's reply, which only the card's
// interrupt delivers (through the receiver hook).
static void
t_e1000(void)
{
    CHECK(e1000_present(), "no e1000 card (boot QEMU with -device e1000)");
    uint8_t mac[6], frame[60] = {0};
    e1000_mac(mac);
    static const uint8_t arp_head[] = {0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1};
    static const uint8_t ips[] = {10, 0, 2, 15};
    memset(frame, 0xFF, 6);             // to: broadcast
    memcpy(frame + 6, mac, 6);          // from: us
    memcpy(frame + 12, arp_head, sizeof arp_head); // ARP, Ethernet/IPv4, request
    memcpy(frame + 22, mac, 6);         // sender MAC
    memcpy(frame + 28, ips, 4);         // sender IP 10.0.2.15
    memset(frame + 32, 0, 6);           // target MAC: unknown
    static const uint8_t target[] = {10, 0, 2, 2};
    memcpy(frame + 38, target, 4);      // target IP 10.0.2.2
    CHECK(e1000_transmit(frame, 13) == -EINVAL && e1000_transmit(frame, 1515) == -EINVAL,
          "e1000_transmit took a bad length");
    e1000_set_receiver(arp_receiver);
    CHECK(e1000_transmit(frame, sizeof frame) == 0, "e1000_transmit refused the ARP request");
    uint32_t start = ticks;
    sti();
    while (!arp_answered && ticks - start < 2 * HZ)
        hlt();
    cli();
    e1000_set_receiver(0);
    const struct e1000_stats *st = e1000_stats();
    printk("e1000: %u frames out, %u in, %u dropped, %u interrupts\n", st->tx_frames,
           st->rx_frames, st->rx_dropped, st->interrupts);
    CHECK(arp_answered, "no ARP reply from 10.0.2.2 within 2 seconds");
    printk("e1000: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n", arp_mac[0], arp_mac[1],
           arp_mac[2], arp_mac[3], arp_mac[4], arp_mac[5]);
    CHECK(st->interrupts > 0, "the reply came without an interrupt");
}

// ---- test=netfuzz: the receive path against bad frames ----

static uint32_t fuzz_state;

static uint32_t
fuzz_rand(void)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 17;
    fuzz_state ^= fuzz_state << 5;
    return fuzz_state;
}

// A valid frame to mutate, in f (broadcast, IPv4 127.0.0.2 -> 127.0.0.1, so
// that no card is needed and replies stay on loopback): kind 0 ICMP echo,
// 1 UDP to port 7, 2..4 TCP to port 80 (a SYN, an ACK with data, a FIN),
// 5 ARP. Its length.
static uint32_t
fuzz_template(uint8_t *f, int kind)
{
    memset(f, 0, 128);
    memset(f, 0xff, 6);
    if (kind == 5) {
        static const uint8_t arp[] = {0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1};
        memcpy(f + 12, arp, sizeof arp);
        put32(f + 28, NET_IP_GATEWAY);
        put32(f + 38, NET_IP_CARD);
        return 42;
    }
    put16(f + 12, 0x0800);
    uint8_t *ip = f + ETH_HLEN, *l4 = ip + IP_HLEN;
    uint32_t l4len = kind == 0 ? 16 : kind == 1 ? 12 : 24;
    uint8_t proto = kind == 0 ? IPPROTO_ICMP : kind == 1 ? IPPROTO_UDP : IPPROTO_TCP;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IP_HLEN + l4len));
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, 0x7f000002);
    put32(ip + 16, NET_IP_LOOPBACK);
    put16(ip + 10, ip_checksum(ip, IP_HLEN, 0));
    if (kind == 0) {
        l4[0] = 8;
        put16(l4 + 2, ip_checksum(l4, l4len, 0));
    } else if (kind == 1) {
        put16(l4, 5000);
        put16(l4 + 2, 7);
        put16(l4 + 4, (uint16_t)l4len);
    } else {
        put16(l4, (uint16_t)(40000 + fuzz_rand() % 8)); // a few peers, so states repeat
        put16(l4 + 2, 80);
        put32(l4 + 4, fuzz_rand() % 4 ? 1000 : fuzz_rand());
        put32(l4 + 8, fuzz_rand());
        l4[12] = 5 << 4;
        l4[13] = kind == 2 ? 0x02 : kind == 3 ? 0x18 : 0x11;
        put16(l4 + 14, 4096);
    }
    return ETH_HLEN + IP_HLEN + l4len;
}

// Recompute the IP and TCP/UDP checksums of a (mutated) frame, when its
// lengths allow, so that it reaches the protocol's state machine.
static void
fuzz_fix_checksums(uint8_t *f, uint32_t len)
{
    if (len < ETH_HLEN + IP_HLEN || net16(f + 12) != 0x0800)
        return;
    uint8_t *ip = f + ETH_HLEN;
    uint32_t hlen = (ip[0] & 0xf) * 4u, total = net16(ip + 2);
    if (hlen < IP_HLEN || total < hlen || total > len - ETH_HLEN)
        return;
    put16(ip + 10, 0);
    put16(ip + 10, ip_checksum(ip, hlen, 0));
    uint8_t *l4 = ip + hlen;
    uint32_t l4len = total - hlen;
    uint32_t sum = ip_pseudo_sum(net32(ip + 12), net32(ip + 16), ip[9], l4len);
    if (ip[9] == IPPROTO_TCP && l4len >= 20) {
        put16(l4 + 16, 0);
        put16(l4 + 16, ip_checksum(l4, l4len, sum));
    } else if (ip[9] == IPPROTO_UDP && l4len >= 8) {
        put16(l4 + 6, 0);
    }
}

// A live loopback connection for the fuzzer to aim at: its client end and
// its accepted server end (both held, as sockets hold them).
static struct tcb *fuzz_cli, *fuzz_srv, *fuzz_listener;

// Close the fuzz connection's ends (if any) and open a new one over
// loopback: connect, let loopback carry the handshake, accept.
static void
fuzz_reconnect(void)
{
    uint32_t addr;
    uint16_t port;
    net_enter();
    if (fuzz_cli)
        tcp_close(fuzz_cli);
    if (fuzz_srv)
        tcp_close(fuzz_srv);
    fuzz_srv = 0;
    fuzz_cli = tcp_open();
    if (fuzz_cli && tcp_connect(fuzz_cli, NET_IP_LOOPBACK, 80) < 0) {
        tcp_close(fuzz_cli);
        fuzz_cli = 0;
    }
    net_leave(); // the handshake runs here
    net_enter();
    if (fuzz_cli)
        fuzz_srv = tcp_accept(fuzz_listener, &addr, &port);
    net_leave();
}

// A TCP segment on the live connection, to either end, with sequence and
// acknowledgment numbers near the ones expected, random flags and up to 100
// bytes of data; the checksum right. Its length, or 0 if there is no
// connection.
static uint32_t
fuzz_live_segment(uint8_t *f)
{
    uint32_t cs, cr, ss, sr;
    uint16_t cport, sport;
    if (!fuzz_cli || !fuzz_srv)
        return 0;
    if (tcp_test_state(fuzz_cli, &cs, &cr, &cport) < TCP_STATE_ESTABLISHED ||
        tcp_test_state(fuzz_srv, &ss, &sr, &sport) < TCP_STATE_ESTABLISHED)
        return 0;
    int to_server = fuzz_rand() % 2;
    static const uint8_t flags[] = {0x10, 0x18, 0x11, 0x04, 0x14, 0x02, 0x12, 0x19, 0x00};
    uint32_t datalen = fuzz_rand() % 3 ? fuzz_rand() % 100 : 0;
    memset(f, 0xff, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + ETH_HLEN, *l4 = ip + IP_HLEN;
    memset(ip, 0, IP_HLEN + 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IP_HLEN + 20 + datalen));
    ip[8] = 64;
    ip[9] = IPPROTO_TCP;
    put32(ip + 12, NET_IP_LOOPBACK);
    put32(ip + 16, NET_IP_LOOPBACK);
    put16(l4, to_server ? cport : 80);
    put16(l4 + 2, to_server ? 80 : cport);
    int32_t dseq = fuzz_rand() % 4 ? 0 : (int32_t)(fuzz_rand() % 201) - 100;
    int32_t dack = fuzz_rand() % 4 ? 0 : (int32_t)(fuzz_rand() % 201) - 100;
    put32(l4 + 4, (to_server ? sr : cr) + (uint32_t)dseq);
    put32(l4 + 8, (to_server ? ss : cs) + (uint32_t)dack);
    l4[12] = 5 << 4;
    l4[13] = flags[fuzz_rand() % sizeof flags];
    put16(l4 + 14, (uint16_t)(fuzz_rand() % 5 ? 4096 : fuzz_rand() % 64));
    for (uint32_t i = 0; i < datalen; i++)
        l4[20 + i] = (uint8_t)fuzz_rand();
    uint32_t len = ETH_HLEN + IP_HLEN + 20 + datalen;
    fuzz_fix_checksums(f, len);
    return len;
}

// One frame: random bytes (1 in 4); a segment on the live connection (1 in
// 4); else a template with 1-8 random bytes changed and its length sometimes
// cut or grown, its checksums fixed half of the time.
static uint32_t
fuzz_frame(uint8_t *f)
{
    uint32_t pick = fuzz_rand() % 4, len;
    if (pick == 0) {
        len = fuzz_rand() % (fuzz_rand() % 8 ? 128 : 1515);
        for (uint32_t i = 0; i < len; i++)
            f[i] = (uint8_t)fuzz_rand();
        return len;
    }
    if (pick == 1 && (len = fuzz_live_segment(f)) != 0)
        return len;
    len = fuzz_template(f, (int)(fuzz_rand() % 6));
    for (uint32_t n = 1 + fuzz_rand() % 8; n > 0; n--)
        f[fuzz_rand() % len] = (uint8_t)fuzz_rand();
    uint32_t r = fuzz_rand() % 8;
    if (r == 0)
        len = fuzz_rand() % len;
    else if (r == 1)
        len += fuzz_rand() % 64; // bytes past the packet (zeros or older garbage)
    if (fuzz_rand() % 2)
        fuzz_fix_checksums(f, len);
    return len;
}

// The fuzz connection's ends also use the socket side: the server writes,
// the client reads what came, so data, windows and ACKs move.
static void
fuzz_traffic(void)
{
    static uint8_t buf[512];
    net_enter();
    if (fuzz_srv)
        tcp_send(fuzz_srv, buf, fuzz_rand() % sizeof buf);
    if (fuzz_cli && tcp_recv(fuzz_cli, buf, sizeof buf, 0) < 0)
        (void)0; // an error or nothing yet: the next reconnect replaces it
    if (fuzz_srv && tcp_recv(fuzz_srv, buf, sizeof buf, 0) < 0)
        (void)0;
    net_leave();
}

// test=netfuzz (fuzzseed=N, frames=N): feed the receive path 100,000 random
// and mutated frames, with a TCP listener on port 80 and a UDP endpoint on
// port 7 to reach. No panic; then, once the connections it made are reset,
// every packet buffer is back in the pool.
static void
t_netfuzz(void)
{
    fuzz_state = cmdline_get_uint("fuzzseed", 0x2545F491);
    uint32_t frames = cmdline_get_uint("frames", 100000);
    static uint8_t f[1600];
    net_enter();
    uint32_t pool_start = pkbuf_free_count();
    struct tcb *l = tcp_open();
    struct udpcb *u = udp_open();
    CHECK(l && u && tcp_bind(l, 0, 80, 0) == 0 && tcp_listen(l, 8) == 0 && udp_bind(u, 0, 7) == 0,
          "could not listen on port 80 and 7");
    fuzz_listener = l;
    net_leave();
    for (uint32_t i = 0; i < frames; i++) {
        if (i % 500 == 0)
            fuzz_reconnect();
        if (i % 7 == 0)
            fuzz_traffic();
        uint32_t len = fuzz_frame(f);
        net_enter();
        net_input_frame(f, len);
        net_leave();
    }
    net_enter();
    struct netstat st = net_stats;
    uint32_t used = tcp_table_used();
    if (fuzz_cli)
        tcp_close(fuzz_cli);
    if (fuzz_srv)
        tcp_close(fuzz_srv);
    tcp_close(l);
    udp_close(u);
    tcp_reset_all();
    arp_reset();
    uint32_t pool_end = pkbuf_free_count();
    net_leave();
    printk("netfuzz: %u frames: %u dropped as bad, %u ICMP echoes, %u ARP replies, %u RSTs, %u "
           "connections, %u duplicate ACKs, %u segments out of order, %u connection slots in use at "
           "the end\n", frames, st.drops_bad, st.icmp_echo, st.arp_replies, st.tcp_rst_sent,
           st.tcp_conns, st.tcp_dupacks, st.tcp_ooo, used);
    printk("netfuzz: pool %u free at the start, %u at the end\n", pool_start, pool_end);
    CHECK(st.drops_bad > frames / 4 && st.icmp_echo > 0 && st.tcp_rst_sent > 0 && st.tcp_conns > 0 &&
          st.tcp_dupacks > 0 && st.tcp_ooo > 0, "the frames did not reach every layer");
    CHECK(pool_end == pool_start, "packet buffers leaked");
    CHECK(tcp_table_used() == 0, "connections left after tcp_reset_all");
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"banner", t_banner}, {"timer", t_timer},   {"frames", t_frames},
    {"heap", t_heap},     {"symbols", t_symbols}, {"fault", t_fault},
    {"panic", t_panic},   {"spurious", t_spurious}, {"printk", t_printk},
    {"gdt", t_gdt},       {"e1000", t_e1000}, {"netfuzz", t_netfuzz},
#ifdef DMSM_METHOD_A
    {"methoda", t_methoda},
#endif
};

// Run the self-test called name (test=NAME), print its verdict and power off:
// status 0 for PASS, 1 for FAIL or an unknown name. Never returns.
void
selftest_run(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
        if (strcmp(tests[i].name, name) == 0) {
            current = tests[i].name;
            tests[i].fn();
            printk("selftest %s: PASS\n", name);
            poweroff(0);
        }
    printk("selftest %s: FAIL: no such test\n", name);
    poweroff(1);
}
