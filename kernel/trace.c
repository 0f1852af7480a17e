// The kernel event trace: system calls with their receiver and exit path,
// switch requests and where they took effect, ticks with the stack-pointer
// test's verdict, context switches, paging, double-fault kills.
//
// A fixed ring of TRACE_CAP events. Recording never blocks: with the ring
// full the event is counted as dropped (its seq number is still used, so a
// reader sees the gap). Recording and taking an event out each run with
// interrupts off for a few instructions, so a tick or a fault that records
// an event in the middle of another recording or of a read cannot tear
// either. Off by default; trace=1 or trace=MASK on the kernel command line,
// or tracectl(TRACE_MASK), turns kinds on. Read out as text lines on serial
// at power-off (trace_dump) or by tracectl(TRACE_DUMP), or as records by
// tracectl(TRACE_READ). docs/debugging.md describes the line format.
#include "kernel.h"
#include "mmu.h"
#include "proc.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"
#include "uapi/sysnum.h"

#define TRACE_CAP 8192 // events; a power of two

_Static_assert((TRACE_CAP & (TRACE_CAP - 1)) == 0, "TRACE_CAP must be a power of two");
_Static_assert(sizeof(struct trace_event) == 32, "struct trace_event is 32 bytes");

uint32_t trace_mask;

static struct trace_event ring[TRACE_CAP];
static uint32_t head, tail;  // events recorded and read out, counted forever
static uint32_t next_seq;    // every event, recorded or dropped
static uint32_t dropped;

// Interrupts off, returning whether they were on (works in any context,
// including the double-fault path, unlike pushcli's bookkeeping).
static int
irq_save(void)
{
    int on = (read_eflags() & FL_IF) != 0;
    cli();
    return on;
}

static void
irq_restore(int on)
{
    if (on)
        sti();
}

// Read the command line's trace= option (1: every kind; else a mask; 0, a
// bad value or none: the trace stays off).
void
trace_init(void)
{
    uint32_t m = cmdline_get_uint("trace", 0);
    if (!m)
        return;
    trace_set_mask(m == 1 ? TR_ALL : m);
    printk("trace: on, mask 0x%x, %u events\n", trace_mask, TRACE_CAP);
}

// Turn kinds on and off. While system calls are traced, every way in
// leads to a receiver's traced twin: the gate of int 0x80, sysenter's
// entry MSR, and the function receiver named in each control area.
void
trace_set_mask(uint32_t mask)
{
    int on = irq_save();
    trace_mask = mask & TR_ALL;
    int calls = TRACE_ON(TR_SYS) || TRACE_ON(TR_SYSRET) || TRACE_ON(TR_APPLY);
    idt_set_syscall_gate(calls);
    sysenter_set_entry(calls);
    mode_set_receiver(calls);
    irq_restore(on);
}

// Record an event of kind for process pid, or count it as dropped.
void
trace_event_as(int pid, int kind, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    if (!TRACE_ON(kind))
        return;
    int on = irq_save();
    uint32_t seq = next_seq++;
    if (head - tail >= TRACE_CAP) {
        dropped++;
    } else {
        ring[head % TRACE_CAP] = (struct trace_event){
            .tsc = rdtsc(), .seq = seq, .pid = (unsigned short)pid, .kind = (unsigned short)kind,
            .a = a, .b = b, .c = c, .d = d,
        };
        head++;
    }
    irq_restore(on);
}

// Record an event of kind for the running process.
void
trace_event(int kind, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    trace_event_as(curproc ? curproc->pid : 0, kind, a, b, c, d);
}

// exec: p's new program name (12 bytes of it) and mode, so a reader can
// name its lane.
void
trace_exec(struct proc *p)
{
    uint32_t w[3] = {0, 0, 0};
    memcpy(w, p->name, sizeof(w) < sizeof(p->name) ? sizeof(w) : sizeof(p->name));
    trace_event_as(p->pid, TR_EXEC, (uint32_t)p->mode, w[0], w[1], w[2]);
}

// A system call nr enters by receiver recv from ring, with first argument
// arg (for switch_supervisor and switch_user: the target, so the call's own
// entry and exit are the request's record). Its number and the caller's
// mode are kept for the exit event.
void
trace_sys(int recv, uint32_t nr, int ring, uint32_t arg)
{
    curproc->trace_nr = nr;
    curproc->trace_mode = curproc->mode;
    trace_event(TR_SYS, (uint32_t)recv, nr, (uint32_t)ring, arg);
}

// The system call in progress leaves with result to ring by exit_path. If
// the caller's mode changed during the call, its tail applied a switch
// (state Z, the only place one applies): say so first. Recording it here
// rather than in mode.c keeps the switch's own path free of trace tests.
void
trace_sysret(uint32_t result, int ring, int exit_path)
{
    struct proc *p = curproc;
    if (p->mode != p->trace_mode)
        trace_event(TR_APPLY, (uint32_t)p->mode, p->trace_nr, 0, 0);
    trace_event(TR_SYSRET, p->trace_nr, result, (uint32_t)ring, (uint32_t)exit_path);
}

// The same, for a call leaving through trapret with frame tf.
void
trace_sysret_tf(struct trapframe *tf)
{
    int ring = SEL_RPL(tf->cs);
    trace_sysret(tf->eax, ring, ring == DPL_USER ? TR_EXIT_IRET3 : TR_EXIT_IRET0);
}

// trap() for a system call frame marked T_SYSCALL_TRACED (the interrupt
// receiver's traced gate, or the function receiver's traced slow path,
// which marks its frames with err = TF_ERR_FCALL): the usual syscall()
// with the entry and exit events around it.
void
trace_syscall(struct trapframe *tf)
{
    tf->trapno = T_SYSCALL; // from here on an ordinary system call frame
    trace_sys(tf->err == TF_ERR_FCALL ? TR_RECV_SLOW : TR_RECV_INT80, tf->eax, SEL_RPL(tf->cs),
              tf->ebx);
    syscall(tf);
    trace_sysret_tf(tf);
}

// ---- reading out ----

// How each kind's four arguments print: "name" (decimal), "name:x" (hex),
// ":r" receiver, ":n" system-call name, ":m" mode, ":p" exit path,
// ":v" tick verdict, ":s" the rest is a 12-byte name.
static const struct {
    const char *name;
    const char *arg[4];
} kinds[TR_NKINDS] = {
    [TR_SYS] = {"sys", {"recv:r", "nr:n", "ring", "arg"}},
    [TR_SYSRET] = {"sysret", {"nr:n", "ret", "ring", "exit:p"}},
    [TR_APPLY] = {"apply", {"mode:m", "nr:n"}},
    [TR_REFUSE] = {"refuse", {"mode:m", "err", "exec"}},
    [TR_TICK] = {"tick", {"verdict:v", "eip:x"}},
    [TR_RUN] = {"run", {"from"}},
    [TR_IDLE] = {"idle", {0}},
    [TR_FAULT] = {"fault", {"va:x", "write", "result", "eip:x"}},
    [TR_PAGEIN] = {"pagein", {"owner", "slot"}},
    [TR_PAGEOUT] = {"pageout", {"owner", "va:x", "slot"}},
    [TR_DFKILL] = {"dfkill", {"eip:x", "esp:x"}},
    [TR_EXEC] = {"exec", {"mode:m", "name:s"}},
    [TR_FORK] = {"fork", {"child"}},
    [TR_EXIT] = {"exit", {"status"}},
};

static const char *
word(const char *const names[], uint32_t n, uint32_t v)
{
    return v < n && names[v] ? names[v] : "?";
}

// Format e as one line (with its check sum and newline) into buf; returns
// its length.
static int
format_event(char *buf, int size, const struct trace_event *e)
{
    static const char *const recv[] = {0, "int80", "fast", "slow", "sysenter"};
    static const char *const exitp[] = {0, "iret3", "iret0", "ret", "sysexit"};
    static const char *const verdict[] = {0, "ap3", "ap0", "kernel"};
    static const char *const mode[] = {"Umode", "Smode"};
    int n = snprintk(buf, size, "~T %u %llu %u %s", e->seq, e->tsc, e->pid,
                     e->kind < TR_NKINDS && kinds[e->kind].name ? kinds[e->kind].name : "?");
    uint32_t v[4] = {e->a, e->b, e->c, e->d};
    for (int i = 0; i < 4 && e->kind < TR_NKINDS && kinds[e->kind].arg[i]; i++) {
        const char *spec = kinds[e->kind].arg[i];
        char key[12];
        int len = 0;
        for (; spec[len] && spec[len] != ':' && len < (int)sizeof(key) - 1; len++)
            key[len] = spec[len];
        key[len] = 0;
        char f = spec[len] == ':' ? spec[len + 1] : 'd';
        n += snprintk(buf + n, size - n, " %s=", key);
        if (f == 'x')
            n += snprintk(buf + n, size - n, "0x%x", v[i]);
        else if (f == 'r')
            n += snprintk(buf + n, size - n, "%s", word(recv, 5, v[i]));
        else if (f == 'p')
            n += snprintk(buf + n, size - n, "%s", word(exitp, 5, v[i]));
        else if (f == 'v')
            n += snprintk(buf + n, size - n, "%s", word(verdict, 4, v[i]));
        else if (f == 'm')
            n += snprintk(buf + n, size - n, "%s", word(mode, 2, v[i]));
        else if (f == 'n')
            n += snprintk(buf + n, size - n, "%s", word(syscall_names, NSYSCALL, v[i]));
        else if (f == 's') { // the name in the words from here on, printable
            char name[sizeof(v)];
            int len = (int)sizeof(v) - 4 * i;
            memcpy(name, &v[i], len);
            name[len] = 0;
            for (char *s = name; *s; s++)
                if (*s <= ' ' || *s > '~')
                    *s = '_';
            n += snprintk(buf + n, size - n, "%s", name);
            break;
        } else
            n += snprintk(buf + n, size - n, "%d", (int)v[i]);
    }
    // a check sum, so that a reader can tell a damaged line from a good one
    uint8_t sum = 0;
    for (int i = 0; i < n && i < size; i++)
        sum += (uint8_t)buf[i];
    n += snprintk(buf + n, size - n, " *%02x\n", sum);
    return n < size ? n : size - 1;
}

// Take the oldest pending event out into *e. Returns 0 if there is none.
static int
take(struct trace_event *e)
{
    int on = irq_save();
    int got = head != tail;
    if (got)
        *e = ring[tail++ % TRACE_CAP];
    irq_restore(on);
    return got;
}

// Write one whole line to serial only, with interrupts off, so that no
// other console output lands inside it.
static void
put_line(const char *s)
{
    int on = irq_save();
    while (*s)
        uart_putc(*s++);
    irq_restore(on);
}

// Print the events pending now on serial, between a begin and an end line,
// and return how many. Events recorded meanwhile wait for the next dump.
int
trace_dump(void)
{
    char line[160];
    int on = irq_save();
    uint32_t n = head - tail, first = n ? ring[tail % TRACE_CAP].seq : next_seq;
    irq_restore(on);
    snprintk(line, sizeof(line), "~TRACE begin mask=0x%x capacity=%u events=%u first=%u\n",
             trace_mask, TRACE_CAP, n, first);
    put_line(line);
    struct trace_event e;
    uint32_t done = 0;
    while (done < n && take(&e)) {
        format_event(line, sizeof(line), &e);
        put_line(line);
        done++;
    }
    on = irq_save();
    snprintk(line, sizeof(line), "~TRACE end events=%u next=%u dropped=%u\n", done, next_seq,
             dropped);
    irq_restore(on);
    put_line(line);
    return (int)done;
}

// tracectl(op, arg, buf, n): see uapi/trace.h. Changing the mask, reading
// the events out and dumping them need the right to promote (-EPERM without
// it): tracing slows every process down, the events hold other processes'
// system-call arguments, and a dump keeps the serial line busy.
int
sys_tracectl(int op, int arg, uint32_t ubuf, int n)
{
    struct proc *p = curproc;
    if ((op == TRACE_READ || op == TRACE_DUMP) && !p->may_promote)
        return -EPERM;
    switch (op) {
    case TRACE_MASK: {
        int old = (int)trace_mask;
        if (arg >= 0) {
            if (!p->may_promote)
                return -EPERM;
            trace_set_mask((uint32_t)arg);
        }
        return old;
    }
    case TRACE_READ: {
        if (n < 0)
            return -EINVAL;
        int got = 0;
        struct trace_event e;
        while (got < n && take(&e)) {
            // (a failed copy loses that one event: the caller's fault)
            if (copyout(p, ubuf + (uint32_t)got * sizeof(e), &e, sizeof(e)) < 0)
                return got ? got : -EFAULT;
            got++;
        }
        return got;
    }
    case TRACE_DUMP:
        return trace_dump();
    case TRACE_STAT: {
        int on = irq_save();
        struct trace_stat st = {trace_mask, TRACE_CAP, head - tail, next_seq, dropped};
        irq_restore(on);
        return copyout(p, ubuf, &st, sizeof(st));
    }
    default:
        return -EINVAL;
    }
}
