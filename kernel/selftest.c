// Kernel-level self-tests, chosen with test=NAME on the command line (the
// harness boots one per run). Each prints "selftest NAME: PASS" or
// "selftest NAME: FAIL: why" and powers off with status 0 or 1.
#include "kernel.h"
#include "mmu.h"
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

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"banner", t_banner}, {"timer", t_timer},   {"frames", t_frames},
    {"heap", t_heap},     {"symbols", t_symbols}, {"fault", t_fault},
    {"panic", t_panic},   {"spurious", t_spurious}, {"printk", t_printk},
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
