// Kernel-level self-tests, chosen with test=NAME on the command line (the
// harness boots one per run). Each prints "selftest NAME: PASS" or
// "selftest NAME: FAIL: why" and powers off with status 0 or 1.
#include "kernel.h"
#include "mmu.h"
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

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"banner", t_banner}, {"timer", t_timer},   {"frames", t_frames},
    {"heap", t_heap},     {"symbols", t_symbols}, {"fault", t_fault},
    {"panic", t_panic},   {"spurious", t_spurious}, {"printk", t_printk},
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
