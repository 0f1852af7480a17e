// kmain: from the boot loader to the first process.
#include "kernel.h"
#include "mmu.h"
#include "frame.h"
#include "multiboot.h"
#include "proc.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"

char kernel_cmdline[256];

// The value of key=VALUE on the kernel command line (up to the next space),
// in a static buffer, or 0. For init= the value is the rest of the line.
const char *
cmdline_get(const char *key)
{
    static char value[sizeof(kernel_cmdline)];
    size_t klen = strlen(key);
    for (const char *s = kernel_cmdline; *s; s++) {
        if ((s == kernel_cmdline || s[-1] == ' ') && strncmp(s, key, klen) == 0 &&
            s[klen] == '=') {
            s += klen + 1;
            size_t n = 0;
            int rest = strcmp(key, "init") == 0;
            while (s[n] && (rest || s[n] != ' ') && n + 1 < sizeof(value))
                n++;
            memcpy(value, s, n);
            value[n] = 0;
            return value;
        }
    }
    return 0;
}

// The value of hex digit c, or 16 if c is none.
static uint32_t
hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return (uint32_t)(c - '0');
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
        return (uint32_t)((c | 0x20) - 'a' + 10);
    return 16;
}

// The number key=N on the kernel command line: decimal, or hex with 0x;
// dflt if the key is absent. A value that is not all digits, or does not fit
// in 32 bits, gets a line saying so and dflt: bad input never panics.
uint32_t
cmdline_get_uint(const char *key, uint32_t dflt)
{
    const char *v = cmdline_get(key);
    if (!v)
        return dflt;
    int hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    uint32_t base = hex ? 16 : 10, n = 0;
    const char *first = hex ? v + 2 : v, *d = first;
    for (; *d; d++) {
        uint32_t digit = hexdigit(*d);
        if (digit >= base || n > (0xFFFFFFFFu - digit) / base)
            break; // not a digit of base, or too big
        n = n * base + digit;
    }
    if (*d || d == first) {
        printk("cmdline: %s=%s is not a number (decimal, or hex with 0x): %s=%u used\n", key, v,
               key, dflt);
        return dflt;
    }
    return n;
}

// Split the value of init= into argv (kernel strings, in place).
static char **
init_argv(char *line)
{
    static char *argv[16];
    int argc = 0;
    for (char *s = line; *s && argc < 15;) {
        while (*s == ' ')
            *s++ = 0;
        if (!*s)
            break;
        argv[argc++] = s;
        while (*s && *s != ' ')
            s++;
    }
    argv[argc] = 0;
    return argv;
}

// The kernel's C entry, from boot/entry.asm with interrupts off: magic and
// mbi_pa are what the multiboot loader left in EAX and EBX. Sets the machine up
// in dependency order (console first, so panics show), then runs the self-test
// named by test= or starts the first process. Never returns.
void
kmain(uint32_t magic, uint32_t mbi_pa)
{
    struct multiboot_info *mbi = P2V(mbi_pa);
    console_init();
    if (magic != MULTIBOOT_BOOT_MAGIC)
        panic("kmain: not booted by a multiboot loader (magic 0x%08x)", magic);
    if (mbi->flags & MBI_CMDLINE)
        strlcpy(kernel_cmdline, P2V(mbi->cmdline), sizeof(kernel_cmdline));

    printk("DMSM teaching OS (i386): booting\n");
    printk("command line: %s\n", kernel_cmdline);
    gdt_init();
    idt_init();
    sysenter_init();
    trace_init(); // after the receivers' entries are set: it may retarget them
    syscall_check_table();
    pic_init();
    frame_init(mbi);
    kheap_init();
    kvm_init();
    printk("memory: %u KiB RAM, %u frames free, heap %u KiB\n", phystop / 1024, frames_free(),
           heap_size / 1024);
    timer_init();
    pic_unmask(IRQ_KBD);
    pic_unmask(IRQ_COM1);
    fs_init(mbi);
    swap_init();
    pci_init();
    e1000_init();
    net_init();

    const char *test = cmdline_get("test");
    if (test)
        selftest_run(test); // kernel-level self-test: powers off when done

    const char *init = cmdline_get("init");
    static char line[sizeof(kernel_cmdline)];
    strlcpy(line, init ? init : "/bin/init", sizeof(line));
    char **argv = init_argv(line);
    if (!argv[0])
        panic("kmain: init= names no program");
    printk("starting %s\n", argv[0]);
    proc_start_first(argv[0], argv);
}
