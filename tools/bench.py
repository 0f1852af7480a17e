#!/usr/bin/env python3
"""make bench: boot the OS headless with init=/bin/bench under each way of
measuring, and write docs/bench.md and the Fig. 7 charts (gnuplot). Then the
workloads (docs/workloads.md): the file server (init=/bin/loadgen -bench) and
the three-policy scenario (init=/bin/scenario), with their charts; these
sections are optional: a run that fails is reported, never fatal.

Ways of measuring (each labelled in the output):
  tcg     QEMU's plain software emulation: RDTSC follows host time (noisy)
  icount  QEMU -icount shift=0: RDTSC counts guest instructions (exact, the
          same every run)
  kvm     real cycles, only where /dev/kvm exists
usage: bench.py BUILD_DIR OUT_MD [MEM]"""
import datetime
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import run as harness  # noqa: E402  (tests/run.py: boot() from clean images, its QEMU command)

PAPER = {  # the paper's function-type / FreeBSD ratios (static link, Fig. 7 and 9)
    "getpid": 34, "sbrk": 57, "read": 80, "write": 81, "ls/5": 91, "ls/408": 95,
}
CALLS = ["getpid", "read", "write", "sbrk"]


MODE_QEMU = {"tcg": "", "icount": "-icount shift=0", "kvm": "-enable-kvm -cpu host"}


def bench_case(mode, cmdline, swap=False):
    """A boot under mode as a test case of tests/run.py, whose boot() runs it
    from clean images: a copy of fs.img and, with swap, a zeroed swap disk."""
    return {"cmdline": cmdline, "qemu": MODE_QEMU[mode], "swap": "yes" if swap else "no"}


def shown(case, build, mem):
    """The case's QEMU command line as docs/bench.md shows it, with the build's
    own images: a command a reader can paste (QEMU only reads -initrd; the
    swap disk it writes is scratch, and the bench itself boots a zeroed one)."""
    return shlex.join(harness.qemu_cmd(dict(case, _fs="%s/fs.img" % build,
                                            _swap="%s/swap.img" % build), build, mem))


def boot(build, mem, case, timeout):
    """(output, status): run.boot's, status None for a timeout."""
    return harness.boot(case, build, mem, timeout)[:2]


class RunFailed(Exception):
    """A benchmark boot that did not finish; the message says why."""


def run(build, mem, mode):
    """Boot init=/bin/bench under mode and parse its BENCH lines. Returns
    (results, command line); raises RunFailed when the run did not finish."""
    case = bench_case(mode, "init=/bin/bench")
    out, status = boot(build, mem, case, 600)
    if status is None:
        raise RunFailed("the %s run did not finish within 600 s" % mode)
    res = {}
    for m in re.finditer(r"^BENCH (\S+) (\S+) median=([\d.]+) min=([\d.]+)", out, re.M):
        res[(m.group(1), m.group(2))] = (float(m.group(3)), float(m.group(4)))
    if ("done", "") not in res and "BENCH done" not in out:
        raise RunFailed("the %s run did not finish:\n%s" % (mode, out[-2000:]))
    return res, shown(case, build, mem)


PROBE_SECONDS = 20


def probe(build, mem, mode):
    """An optional way of measuring must first show that it runs this guest:
    a short boot of the kernel's banner self-test, with a timeout. Returns
    None when it works, else the reason in a few words. (KVM: a /dev/kvm of
    a nested hypervisor can abort on an MSR or triple-fault this guest.)"""
    if mode == "kvm":
        if not os.path.exists("/dev/kvm"):
            return "there is no /dev/kvm on this machine"
        if not os.access("/dev/kvm", os.R_OK | os.W_OK):
            return "/dev/kvm is not readable and writable for this user"
    out, status = boot(build, mem, bench_case(mode, "test=banner"), PROBE_SECONDS)
    if status is None:
        return "a probe boot did not finish within %d s" % PROBE_SECONDS
    if "selftest banner: PASS" in out:
        return None
    last = (out.strip().splitlines() or ["no message"])[-1]
    return "a probe boot failed (status %s: %s)" % (status, last[:160])


OPTIONAL_MODES = ["kvm"]


def fmt(v):
    return "%.0f" % v if v >= 100 else "%.1f" % v


def fig7_table(res):
    lines = ["| call | conventional `int 0x80` | DMSM stub, Umode (`int`) | DMSM stub, Smode (`call`) "
             "| sysenter | floor | Smode / conv. | Umode DMSM / conv. | conv. - Smode |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in CALLS:
        conv = res[(c, "conventional")][0]
        dint = res[(c, "dmsm-int")][0]
        func = res[(c, "dmsm-func")][0]
        sysenter = res.get((c, "sysenter"), (None,))[0]
        floor = res.get((c, "floor"), (None,))[0]
        lines.append("| %s | %s | %s | %s | %s | %s | %.0f %% | %.1f %% | %s |" % (
            c, fmt(conv), fmt(dint), fmt(func), fmt(sysenter) if sysenter else "-",
            fmt(floor) if floor else "-", 100 * func / conv, 100 * dint / conv, fmt(conv - func)))
    return "\n".join(lines)


def fig8_table(res):
    g = res[("getpid", "conventional")][0]
    lines = ["| call | cycles | / conventional getpid |", "|---|---:|---:|"]
    for c in ("switch_supervisor", "switch_user"):
        v = res[(c, "self")][0]
        lines.append("| `%s(0)` | %s | %.1f |" % (c, fmt(v), v / g))
    return "\n".join(lines)


def fig9_table(res):
    saving = res[("getpid", "conventional")][0] - res[("getpid", "dmsm-func")][0]
    lines = ["| directory | output | Umode | Smode | Smode / Umode | paper | system calls "
             "| calls x saving / Umode run |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for d in ("5", "408"):
        for out in ("console", "file"):
            u = res[("ls/%s-%s" % (d, out), "umode")][0]
            s = res[("ls/%s-%s" % (d, out), "smode")][0]
            calls = res[("ls/%s-%s" % (d, out), "smode-calls")][0]
            lines.append("| %s files | %s | %s | %s | %.0f %% | %d %% | %d | %.1f %% |" % (
                d, out, fmt(u), fmt(s), 100 * s / u, PAPER["ls/" + d], calls,
                100 * calls * saving / u))
    lines.append("\nThe saving per call is the conventional getpid minus the Smode one (%s "
                 "here): what entering and leaving by `call` instead of `int 0x80` saves. "
                 "System calls are counted by the kernel (vmstat) over the whole run, "
                 "the benchmark's own fork, wait and vmstat included. Figures are medians "
                 "of 15 runs each way (5 files) or 5 (408 files), the two modes taking "
                 "turns run by run. Under TCG the runs of one row vary by several percent, "
                 "more than the whole gain (the last column): there a row's Smode / Umode "
                 "is noise around 100 %%, and only icount shows the gain." % fmt(saving))
    return "\n".join(lines)


def malloc_table(res):
    """libsys's malloc under the load that was once quadratic (issue 10)."""
    lines = ["| run | whole run | per block (malloc + free) |", "|---|---:|---:|"]
    for (call, path), (median, _) in sorted(res.items()):
        m = re.match(r"malloc/(\d+)x(\d+)$", call)
        if m:
            lines.append("| %s x `malloc(%s)`, then `free` of each, in order (%s) | %s | %s |" % (
                m.group(1), m.group(2), path, fmt(median), fmt(median / int(m.group(1)))))
    if len(lines) == 2:
        return ("Not measured: a run failed (`BENCH-SKIP` in the boot log). The 20,000 blocks "
                "need about 200 MB of commit: give the guest that much memory (`make bench` "
                "boots it with 256 MiB unless MEM says otherwise).")
    return "\n".join(lines)


SIZES = [64, 1024, 4096, 16384]
PROCS = [1, 8, 32]


def scale_missing(res):
    """The scale figures the boot log lacks (a child or a fork failed: its
    BENCH-SKIP or "bench:" line says why), as `call path` strings."""
    keys = [(c, "size-%d" % k) for k in SIZES for c in ("switch_supervisor", "switch_user")]
    keys += [("getpid", "procs-%d" % n) for n in PROCS]
    return ["%s %s" % k for k in keys if k not in res]


def scale_tables(res, mode):
    """The two scale tables and their charts' links, or one line naming what
    was not measured."""
    missing = scale_missing(res)
    if missing:
        return ("Not measured: the boot log has no figure for %s (its `BENCH-SKIP` or "
                "`bench:` lines say why)." % ", ".join("`%s`" % m for m in missing))
    lines = ["| resident size | `switch_supervisor(0)` | `switch_user(0)` | up / 64 KiB "
             "| down / 64 KiB |", "|---:|---:|---:|---:|---:|"]
    up0 = res[("switch_supervisor", "size-64")][0]
    down0 = res[("switch_user", "size-64")][0]
    for k in SIZES:
        up = res[("switch_supervisor", "size-%d" % k)][0]
        down = res[("switch_user", "size-%d" % k)][0]
        lines.append("| %s | %s | %s | %.2f | %.2f |" % (
            "%d KiB" % k if k < 1024 else "%d MiB" % (k // 1024), fmt(up), fmt(down),
            up / up0, down / down0))
    lines += ["", "| processes | conventional getpid | / 1 process |", "|---:|---:|---:|"]
    g0 = res[("getpid", "procs-1")][0]
    for n in PROCS:
        g = res[("getpid", "procs-%d" % n)][0]
        lines.append("| %d | %s | %.2f |" % (n, fmt(g), g / g0))
    lines += ["", "![switch cost against size under %s](bench-fig8-scale-%s.svg)" % (mode, mode),
              "", "![getpid against processes under %s](bench-getpid-procs-%s.svg)" % (mode, mode)]
    return "\n".join(lines)


def plot(script, rows):
    """Run gnuplot on script, @DATA@ in it naming a temporary file that holds
    rows (lines); the file goes whatever gnuplot did, and nothing is written
    before every row is computed."""
    fd, data = tempfile.mkstemp(prefix="bench-", suffix=".dat")
    try:
        with os.fdopen(fd, "w") as f:
            f.write("".join(r + "\n" for r in rows))
        subprocess.run(["gnuplot"], input=script.replace("@DATA@", data), text=True, check=True)
    finally:
        os.remove(data)


def unit(mode):
    return "guest instructions" if mode == "icount" else "RDTSC ticks"


# The look of every bar chart (Fig. 7, the server). Data files have no
# header line: gnuplot would draw it as an empty first cluster.
HISTOGRAM = """set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
"""


def scale_charts(res, mode, docs):
    """The scale figures as line charts (gnuplot, SVG): flat is the point.
    None when a figure is missing (scale_tables says which)."""
    if scale_missing(res):
        return
    rows = ["%d %f %f" % (k, res[("switch_supervisor", "size-%d" % k)][0],
                          res[("switch_user", "size-%d" % k)][0]) for k in SIZES]
    out = os.path.join(docs, "bench-fig8-scale-%s.svg" % mode)
    plot("""
set terminal svg size 720,420 dynamic font 'sans,12'
set output '%s'
set title 'Switch cost against the process size (%s)'
set logscale x 2
set xlabel 'resident size (KiB)'
set ylabel '%s per switch'
set yrange [0:*]
set grid
set key bottom right
plot '@DATA@' using 1:2 with linespoints title 'switch\\_supervisor(0)', '' using 1:3 with linespoints title 'switch\\_user(0)'
""" % (out, mode, unit(mode)), rows)
    rows = ["%d %f" % (n, res[("getpid", "procs-%d" % n)][0]) for n in PROCS]
    out2 = os.path.join(docs, "bench-getpid-procs-%s.svg" % mode)
    plot("""
set terminal svg size 720,420 dynamic font 'sans,12'
set output '%s'
set title 'Conventional getpid against the number of processes (%s)'
set xlabel 'processes'
set ylabel '%s per call'
set yrange [0:*]
set grid
plot '@DATA@' using 1:2 with linespoints title 'getpid (int 0x80)'
""" % (out2, mode, unit(mode)), rows)


def chart(res, mode, path):
    """Fig. 7 as a bar chart (gnuplot, SVG): cycles per call, per path."""
    rows = ["%s %f %f %f" % (c, res[(c, "conventional")][0], res[(c, "dmsm-int")][0],
                             res[(c, "dmsm-func")][0]) for c in CALLS]
    plot("""
set terminal svg size 720,420 dynamic font 'sans,12'
set output '%s'
set title 'System-call cost per path (%s, %s per call)'
%sset key outside bottom center horizontal
set ylabel '%s per call'
plot '@DATA@' using 2:xtic(1) title 'conventional int 0x80', '' using 3 title 'DMSM Umode (int)', '' using 4 title 'DMSM Smode (call)'
""" % (path, mode, unit(mode), HISTOGRAM, unit(mode)), rows)


def main():
    build, out_md = sys.argv[1], sys.argv[2]
    mem = sys.argv[3] if len(sys.argv) > 3 else "128"
    modes, skipped = ["tcg", "icount"], {}
    for mode in OPTIONAL_MODES:
        why = probe(build, mem, mode)
        if why is None:
            modes.append(mode)
        else:
            skipped[mode] = why
            print("bench: %s not measured: %s" % (mode, why), flush=True)
    results, cmds = {}, {}
    for mode in list(modes):
        print("bench: running under %s ..." % mode, flush=True)
        try:
            results[mode], cmds[mode] = run(build, mem, mode)
        except RunFailed as e:
            if mode not in OPTIONAL_MODES:
                sys.exit("bench.py: %s" % e)
            modes.remove(mode)
            skipped[mode] = str(e).splitlines()[0]
            print("bench: %s not measured: %s" % (mode, skipped[mode]), flush=True)
    docs = os.path.dirname(out_md) or "."
    for mode in modes:
        chart(results[mode], mode, os.path.join(docs, "bench-fig7-%s.svg" % mode))
        scale_charts(results[mode], mode, docs)

    cpu = "unknown"
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    qemu = subprocess.run(["qemu-system-i386", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    listing = fcall_listing(build)
    md = [TEMPLATE_HEAD.format(date=datetime.date.today().isoformat(), cpu=cpu,
                               host=platform.platform(), qemu=qemu, mem=mem,
                               modes=", ".join(modes))]
    for mode, why in skipped.items():
        md.append("- Not measured under %s: %s.\n" % (MODE_TITLE[mode], why))
    for mode in modes:
        r = results[mode]
        md.append("## Under %s\n\n%s\n\nCommand: `%s`\n" % (MODE_TITLE[mode], MODE_NOTE[mode],
                                                          cmds[mode]))
        md.append("### Fig. 7: cycles per call\n\n" + fig7_table(r) + "\n")
        md.append("![Fig. 7 under %s](bench-fig7-%s.svg)\n" % (mode, mode))
        md.append("### Fig. 8: switching oneself\n\n" + fig8_table(r) + "\n")
        md.append("### Scale: the switch against the process size, getpid against the "
                  "number of processes\n\n" + scale_tables(r, mode) + "\n")
        md.append("### Fig. 9: `ls -l` as a whole program (fork, exec, a stat per entry, output)\n\n"
                  + fig9_table(r) + "\n")
        md.append("### libsys malloc: 20,000 blocks of 10001 bytes, then free all\n\n"
                  + malloc_table(r) + "\n")
    md.append(compare(results))
    md.append(TEMPLATE_WHERE.format(listing=listing))
    try:  # optional: a failure here is reported in the file, never fatal
        md.append(workload_sections(build, mem, modes, results, docs))
    except Exception as e:  # pylint: disable=broad-except
        md.append("## The workloads\n\n(not measured: %s: %s)\n" % (type(e).__name__, e))
    md.append(TEMPLATE_TAIL)
    with open(out_md, "w") as f:
        f.write("\n".join(md))
    print("bench: wrote %s and %s" % (out_md, ", ".join(
        os.path.join(docs, "bench-fig7-%s.svg" % m) for m in modes)))


def compare(results):
    r = results["icount"]
    t = results["tcg"]
    lines = ["## Against the paper\n",
             "| figure | paper (Pentium 4, FreeBSD 4.3) | here, icount | here, TCG |",
             "|---|---:|---:|---:|"]
    for c in CALLS:
        lines.append("| %s: Smode / conventional | %d %% | %.0f %% | %.0f %% |" % (
            c, PAPER[c], 100 * r[(c, "dmsm-func")][0] / r[(c, "conventional")][0],
            100 * t[(c, "dmsm-func")][0] / t[(c, "conventional")][0]))
    for c in CALLS:
        lines.append("| %s: DMSM Umode / conventional | 100-102 %% | %.1f %% | %.1f %% |" % (
            c, 100 * r[(c, "dmsm-int")][0] / r[(c, "conventional")][0],
            100 * t[(c, "dmsm-int")][0] / t[(c, "conventional")][0]))
    for c in ("switch_supervisor", "switch_user"):
        lines.append("| `%s(0)` / conventional getpid | below 1 | %.1f | %.1f |" % (
            c, r[(c, "self")][0] / r[("getpid", "conventional")][0],
            t[(c, "self")][0] / t[("getpid", "conventional")][0]))
    for d in ("5", "408"):
        for out in ("console", "file"):
            k = "ls/%s-%s" % (d, out)
            lines.append("| ls -l, %s files, %s: Smode / Umode | %d %% | %.0f %% | %.0f %% |" % (
                d, out, PAPER["ls/" + d], 100 * r[(k, "smode")][0] / r[(k, "umode")][0],
                100 * t[(k, "smode")][0] / t[(k, "umode")][0]))
    for c in ("switch_supervisor", "switch_user"):
        ratio = ["%.2f" % (x[(c, "size-16384")][0] / x[(c, "size-64")][0])
                 if not scale_missing(x) else "-" for x in (r, t)]
        lines.append("| `%s(0)`, 16 MiB / 64 KiB process | (not measured) | %s | %s |" % (
            c, ratio[0], ratio[1]))
    lines.append("")
    lines.append(TEMPLATE_DIFFER.format(calls5=ls_calls(r, "5"), calls408=ls_calls(r, "408")))
    return "\n".join(lines)


def ls_calls(res, d):
    """The system calls of ls -l's Smode runs on d files: "N", or "N-M" when
    console and file output differ."""
    n = [res[("ls/%s-%s" % (d, out), "smode-calls")][0] for out in ("console", "file")]
    return "%d" % min(n) if min(n) == max(n) else "%d-%d" % (min(n), max(n))


def fcall_listing(build):
    """The function receiver's fast path, from the build's disassembly."""
    asm = open(os.path.join(build, "kernel.asm"), errors="replace").read()
    m = re.search(r"^[0-9a-f]+ <fcall_entry>:\n(.*?)\n\n", asm, re.M | re.S)
    if not m:
        return "(fcall_entry not found in build/kernel.asm)"
    body = []
    for line in m.group(1).splitlines():
        if re.match(r"\s*[0-9a-f]+:\s", line):
            parts = line.split("\t")
            body.append("%s  %s" % (parts[0].strip(), parts[-1].strip()))
        if "ret" in line.split("\t")[-1]:
            break
    return "\n".join(body)


MODE_TITLE = {"tcg": "QEMU TCG (RDTSC follows host time)",
              "icount": "QEMU `-icount shift=0` (RDTSC counts instructions)",
              "kvm": "KVM (real cycles)"}
MODE_NOTE = {
    "tcg": "Figures are RDTSC ticks of the host clock as QEMU presents it: they vary from run "
           "to run by several percent, and what is expensive for an emulator (an `iret`, a "
           "privilege change, a segment load: each a helper call) is not what is expensive "
           "for a Pentium 4. Compare ratios within this table, not with other runs.",
    "icount": "Figures are guest instructions per call, including the benchmark's loop and the "
              "libsys stub: exact, identical on every run and every machine. An instruction is "
              "not a cycle: `int`/`iret` cost hundreds of cycles on real hardware and count one "
              "instruction here, so this shows how much *work* each path does.",
    "kvm": "Figures are real cycles of this machine's processor.",
}

TEMPLATE_HEAD = """# Benchmarks: what a system call costs on each path

Generated by `make bench` (tools/bench.py) on {date}. Do not edit: rerun it.

- Host: {cpu}; {host}
- Emulator: {qemu}; guest memory {mem} MiB; ways of measuring: {modes}
- Program: `/bin/bench` (user/bench.c). Every figure is the **median** over 31
  rounds of 2000 calls after a warm-up, per call, the loop and the libsys stub
  included (the minimum is in the raw `BENCH` lines of the boot log).
  `read`/`write` move 64 bytes of an in-memory file; `sbrk` is `sbrk(0)`.
- The malloc row times a whole run in a fresh child (median of 5 runs):
  20,000 `malloc(10001)`, then `free` of each in the same order. It was
  quadratic before libsys's allocator got size classes and boundary tags
  (issue 10, item 12): 4.86e9 instructions under icount with 256 MiB of
  guest memory; with 128 MiB the pieces it left behind ran out of memory.

Paths:
- **conventional**: libsys's `conv_*` stubs, `int 0x80` with no flag test (the
  paper's "FreeBSD").
- **DMSM Umode**: the mode-aware stub in a Umode process: flag test, then `int 0x80`.
- **DMSM Smode**: the same stub in an Smode process: flag test, then `call` to
  the function receiver (kernel/fcall.asm, fast path).
- **sysenter**: `sysenter`/`sysexit` (kernel/sysenter.asm), the fast
  instruction a Pentium 4 already had; a second baseline for Umode.
- **floor**: from Smode, a plain `call` of the kernel's `sys_getpid` (its
  address is in the control area): no receiver at all. The function
  receiver's overhead over this floor is the figure to drive down.
"""

TEMPLATE_DIFFER = """What differs from a Pentium 4:
- On the Pentium 4 the privilege change of `int`/`iret` costs hundreds of
  clocks, so the paper's function-type call saves 800-900 clocks per call. In
  the emulator an `int` is one instruction (icount) or one helper call (TCG):
  the saving shows as work (instructions) and as emulator overhead, not as the
  same clocks.
- The paper's `read`/`write` went through FreeBSD's buffer cache and VFS; here
  they are a short path over an in-memory file, so the fixed cost of entering
  the kernel weighs more in the total.
- `switch_supervisor`/`switch_user` here cost a request, the tail that
  applies it (one flag on the address space: residency is not a count on each
  page, docs/memory.md) and the frame rewrite: the same at any size (the
  scale table), with no function call on the path (`syscall_tail` inlines
  it all).
- Under TCG `switch_supervisor(0)` stays above a getpid, and no leaner
  switch would change that: it enters by the same `int 0x80` from ring 3 as
  the conventional getpid, and TCG charges an `iret` the same helper call
  whichever ring it returns to, so the switch costs a getpid plus its own
  work. A kernel built once for the purpose (2026-12-01, not part of the
  tree), whose `switch_supervisor(0)` did nothing but set the flag and
  rewrite CS and SS (149 instructions under icount: the least a switch into
  ring 0 can be), still took 1.15-1.27 conventional getpids under TCG on an
  idle host. On a Pentium 4 the return to the same ring is much cheaper than
  the return to ring 3 (no stack switch, no segment checks): that is the
  paper's 0.93. `switch_user(0)` enters by `call`, pays no `int`, and stays
  below a getpid here too.
- `ls -l` makes few system calls for the work it does ({calls5} for 5 files,
  {calls408} for 408 under icount, the column above), and console output goes through an
  emulated UART a byte at a time: calls x saving per call is a few percent
  of the run at most, and that is the whole gain. The Smode stack is no
  longer allocated up front (it grows through the double-fault task), so
  becoming Smode costs the child almost nothing.

To measure real cycles: run `make bench` on a Linux machine with a `/dev/kvm`
that runs this guest (a short probe boot checks that first; when it fails, as
it does under some nested hypervisors, the report says why in one line and
the other sections are written as usual), or boot `build/dmsm.iso` on a real
PC and run `bench` at the shell: it prints the same `BENCH` lines.
"""

TEMPLATE_WHERE = """## Where the function receiver's cycles go

The fast path of `fcall_entry` (kernel/fcall.asm), as built (from
build/kernel.asm): switch to the kernel stack, save ECX/EDX, check the number
and the entry's SC_FRAME flag, push five arguments, call the handler, test
the one `tail_work` word, switch back, `ret`. No frame, no `iret`, no
`popfd`, no `cli`/`sti`, no segment loads.

```
{listing}
```

Under icount the difference between the DMSM Smode and floor columns is the
receiver plus the stub's flag test; the difference between conventional and
DMSM Umode is the flag test alone (three instructions: load-compare, branch,
jump).
"""

TEMPLATE_TAIL = """## Before issue 11 (fixed history, not rerun: measured 2026-12-01 on the development machine)

Before residency became a property of the address space, a switch pinned or
unpinned every page one by one, and an Smode exec allocated and zeroed the
whole 64 KiB stack. The figures of that build, copied by hand from this
file as `make bench` wrote it then (commit b1b5ad8):

| figure | icount | TCG |
|---|---:|---:|
| `switch_supervisor(0)` | 1817 (18.2 x getpid) | 4599 (3.9 x) |
| `switch_user(0)` | 1865 (18.6 x getpid) | 3675 (3.1 x) |
| the same switch, 16 MiB of heap touched / small process | | 100-118 x |
| ls -l, 5 files, console / file: Smode / Umode | 112 % / 113 % | 113 % / 105 % |
| ls -l, 408 files, console / file: Smode / Umode | 100 % / 100 % | 99 % / 96 % |

Then, with residency one flag (O(1) at any size) but the switch still
calling `uvm_make_resident` and `vm_commit_resident` and saving registers on
the request's path (this file's version at commit a5cd775):

| figure | icount | TCG |
|---|---:|---:|
| `switch_supervisor(0)` | 268 (2.5 x getpid) | 2205 (1.1 x) |
| `switch_user(0)` | 192 (1.8 x getpid) | 1365 (0.7 x) |

## Rerun

    make bench            # two minutes here (the workloads take most); writes this file and the charts

The test suite (`make test`, case `bench_quick`) runs `bench -q -check` under
icount and checks only orderings that must hold anywhere: function-type getpid
below interrupt-type, and the DMSM interrupt-type stub within 5 % of the
conventional one. It never checks a time.
"""

# ---- the workloads (issue 14): the file server and the mode manager's scenario ----
# Each section boots once per way of measuring; a boot that fails or times out
# is reported in docs/bench.md and skipped, never fatal.
SERVER_ROUNDS = {"tcg": 3, "icount": 1, "kvm": 3}  # icount is exact: one round
SCEN_ROUNDS = {"tcg": 6, "icount": 1}  # TCG follows host time: many short rounds
SCEN_ARGS = "-t 10 -ms 100 -mp 50"  # 10 buckets of 100 ms, modemgr's period 50 ms
PRESSURE_MEM = 16
PRESSURE_KIB = 6144  # each service's store: two of them exceed 16 MiB's free frames


def boot_lines(build, mem, mode, init, prefix, swap=False, timeout=300):
    """Boot `init=...` under mode; (lines starting with prefix or "modemgr:",
    the command, None) or (None, the command, why it failed)."""
    case = bench_case(mode, "init=" + init, swap)
    cmd = shown(case, build, mem)
    try:
        out, status = boot(build, mem, case, timeout)
    except (OSError, subprocess.SubprocessError) as e:
        return None, cmd, "failed: %s" % e
    if status is None:
        return None, cmd, "did not finish within %d s: ...%s" % (
            timeout, out[-600:].replace("\n", " | "))
    if "%s done bad=0" % prefix not in out:
        return None, cmd, "did not finish cleanly: ...%s" % out[-600:].replace("\n", " | ")
    keep = [l for l in out.splitlines() if l.startswith(prefix + " ") or l.startswith("modemgr:")]
    return keep, cmd, None


def kv(line):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", line))


def server_results(lines):
    """{(mode, n, size): {"rps": median, "p50": median, "p99": median, "calls": x}}, tsc_hz."""
    runs, hz = {}, 0
    for l in lines:
        d = kv(l)
        if "tsc_hz" in d:
            hz = int(d["tsc_hz"])
        elif "rps" in d:
            runs.setdefault((d["mode"], int(d["n"]), int(d["size"])), []).append(d)
    res = {}
    for k, ds in runs.items():
        res[k] = {f: statistics.median(float(d[f]) for d in ds) for f in ("rps", "p50", "p99", "calls")}
        res[k]["runs"] = len(ds)
    return res, hz


def server_table(res, hz, fig7):
    """(the table, Fig. 7's saving per call, the largest |predicted - measured|
    Smode / Umode over its rows in percentage points, or None)."""
    saving = statistics.mean(fig7[(c, "dmsm-int")][0] - fig7[(c, "dmsm-func")][0]
                             for c in ("read", "write"))
    lines = ["| size | N | Umode req/s | Smode req/s | Smode / Umode | Umode p50 | Umode p99 "
             "| Smode p99 | p99 S / U | calls/req | Fig. 7 saving/req | share of a request "
             "| predicted S / U |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    worst = None
    for size in (64, 4096):
        for n in (1, 4, 16):
            u, s = res.get(("umode", n, size)), res.get(("smode", n, size))
            if not u or not s:
                continue
            per_req = hz / u["rps"] if u["rps"] else 0  # ticks of one request, the machine's whole time
            save = u["calls"] * saving
            share = save / per_req if per_req else 0
            if share < 1:
                gap = abs(100 / (1 - share) - 100 * s["rps"] / u["rps"])
                worst = gap if worst is None else max(worst, gap)
            lines.append("| %d B | %d | %.0f | %.0f | %.1f %% | %.0f | %.0f | %.0f | %.0f %% | %.1f "
                         "| %.0f | %.1f %% | %s |" % (
                             size, n, u["rps"], s["rps"], 100 * s["rps"] / u["rps"], u["p50"],
                             u["p99"], s["p99"], 100 * s["p99"] / u["p99"], u["calls"], save,
                             100 * share, "%.1f %%" % (100 / (1 - share)) if share < 1 else "-"))
    return "\n".join(lines), saving, worst


def server_chart(res, mode, path):
    rows = []
    for size in (64, 4096):
        for n in (1, 4, 16):
            u, s = res.get(("umode", n, size)), res.get(("smode", n, size))
            if u and s:
                rows.append('"%dB,N=%d" %f %f' % (size, n, 100 * s["rps"] / u["rps"],
                                                  100 * s["p99"] / u["p99"]))
    plot("""
set terminal svg size 720,400 dynamic font 'sans,12'
set output '%s'
set title 'File server: Smode relative to Umode (%s)'
%sset key outside bottom center horizontal
set ylabel 'Smode / Umode (%%)'
set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2
plot '@DATA@' using 2:xtic(1) title 'throughput (higher: Smode faster)', '' using 3 title 'p99 latency (lower: Smode faster)'
""" % (path, mode, HISTOGRAM), rows)


POLICIES = ("umode", "fixed", "modemgr")
POLICY_TITLE = {"umode": "all Umode", "fixed": "A fixed in Smode", "modemgr": "modemgr"}


def scenario_results(lines):
    """{policy: {"total", "first", "second": medians, "buckets": per-bucket medians,
    "pageins": {service: [smode, umode, switching]} (from the median round)}}, ms, log."""
    rounds, ms, log = {}, 100, []
    for l in lines:
        if l.startswith("modemgr:"):
            log.append(l)
            continue
        d = kv(l)
        if "ms" in d and "buckets" in d:
            ms = int(d["ms"])
        if "policy" not in d:
            continue
        r = rounds.setdefault(d["policy"], {}).setdefault(int(d["round"]), {"buckets": {}, "pageins": {}})
        if "bucket" in d:
            r["buckets"][int(d["bucket"])] = int(d["reqs"])
        elif "service" in d:
            r["pageins"][d["service"]] = [int(d["pageins_" + k]) for k in ("smode", "umode", "switching")]
        elif "total" in d:
            r.update({k: int(d[k]) for k in ("total", "first", "second")})
    res = {}
    for pol, rs in rounds.items():
        rs = [r for r in rs.values() if "total" in r]
        if not rs:
            continue
        nb = max((max(r["buckets"]) + 1 for r in rs if r["buckets"]), default=0)
        med = sorted(rs, key=lambda r: r["total"])[len(rs) // 2]
        res[pol] = {k: statistics.median(r[k] for r in rs) for k in ("total", "first", "second")}
        res[pol]["buckets"] = [statistics.median(r["buckets"].get(b, 0) for r in rs) for b in range(nb)]
        res[pol]["pageins"] = med["pageins"]
        res[pol]["rounds"] = len(rs)
    return res, ms, log


def scenario_chart(res, ms, mode, path):
    pols = [p for p in POLICIES if p in res]
    nb = len(res[pols[0]]["buckets"])
    rows = ["%f %s" % ((b + 0.5) * ms / 1000, " ".join(
        "%f" % (res[p]["buckets"][b] * 1000 / ms) for p in pols)) for b in range(nb)]
    plots = ", ".join("'%s' using 1:%d with linespoints title '%s'" % ("@DATA@" if i == 0 else "",
                                                                        i + 2, POLICY_TITLE[p])
                      for i, p in enumerate(pols))
    script = """
set terminal svg size 720,400 dynamic font 'sans,12'
set output '%s'
set title 'Two services, the load moves from A to B at the middle (%s)'
set xlabel 'time (s)'
set ylabel 'requests per second'
set yrange [0:*]
set key bottom right
set grid
set arrow from %f, graph 0 to %f, graph 1 nohead dt 2
plot %s
""" % (path, mode, nb * ms / 2000, nb * ms / 2000, plots)
    plot(script, rows)


def scenario_table(res):
    lines = ["| policy | total requests | first half (load on A) | second half (load on B) "
             "| / all Umode | / best fixed |", "|---|---:|---:|---:|---:|---:|"]
    u = res.get("umode", {}).get("total")
    best = max(res[p]["total"] for p in ("umode", "fixed") if p in res)
    for p in POLICIES:
        if p in res:
            r = res[p]
            lines.append("| %s | %.0f | %.0f | %.0f | %s | %.1f %% |" % (
                POLICY_TITLE[p], r["total"], r["first"], r["second"],
                "%.1f %%" % (100 * r["total"] / u) if u else "-", 100 * r["total"] / best))
    return "\n".join(lines)


def verdict(res):
    if not all(p in res for p in POLICIES):
        return "(not every policy ran)"
    best = max(res["umode"]["total"], res["fixed"]["total"])
    a = res["modemgr"]["total"]
    ok = a >= 0.95 * best and a > res["umode"]["total"]
    return ("modemgr's total is %.1f %% of the best fixed policy and %.1f %% of all-Umode: "
            "the issue's bar (at least 95 %% of the best fixed, above all-Umode) is %s." % (
                100 * a / best, 100 * a / res["umode"]["total"], "met" if ok else "**not met**"))


def pressure_table(res):
    lines = ["| policy | service | page-ins while Smode | page-ins while Umode | during a switch |",
             "|---|---|---:|---:|---:|"]
    for p in POLICIES:
        for svc in ("A", "B"):
            v = res.get(p, {}).get("pageins", {}).get(svc)
            if v:
                lines.append("| %s | %s | %d | %d | %d |" % (POLICY_TITLE[p], svc, v[0], v[1], v[2]))
    return "\n".join(lines)


def first_round(log):
    """modemgr's log up to where its first line comes again (the next round)."""
    if not log:
        return ["(none logged)"]
    return log[:log.index(log[0], 1)] if log.count(log[0]) > 1 else log


def workload_sections(build, mem, modes, fig7, docs):
    """Run the server and scenario boots; their part of docs/bench.md."""
    md = ["## The file server ([workloads.md](workloads.md))\n",
          "`/bin/loadgen -bench` forks `/bin/fileserver` and keeps one request outstanding on "
          "each of N connections (pipes, `poll`); every request is `GET /srv/f<size>`: the server "
          "opens, fstats, reads and closes the file and writes the reply. Figures are medians "
          "over the rounds (the modes alternate within a boot), latencies in TSC ticks. "
          "*calls/req* is the server's system calls per request (procinfo's counter); "
          "*Fig. 7 saving/req* is that times what Fig. 7 measured one `read`/`write` to save in "
          "Smode (DMSM Umode minus DMSM Smode, same way of measuring); *share* is that saving "
          "over the time one request takes in Umode (1 / throughput), and *predicted S / U* the "
          "throughput that saving alone gives Smode, 1 / (1 - share): compare it with the "
          "measured *Smode / Umode*; the line under each table gives the largest difference "
          "between the two over its rows.\n"]
    for mode in modes:
        rounds = SERVER_ROUNDS.get(mode, 1)
        print("bench: file server under %s ..." % mode, flush=True)
        lines, cmd, err = boot_lines(build, mem, mode, "/bin/loadgen -bench -r 2000 -rounds %d" % rounds,
                                     "SERVER")
        md.append("### Under %s\n\nCommand: `%s`\n" % (MODE_TITLE[mode], cmd))
        if err:
            md.append("(not measured: the run %s)\n" % err)
            continue
        res, hz = server_results(lines)
        table, saving, worst = server_table(res, hz, fig7[mode])
        md.append("TSC: %d ticks per second; Fig. 7's saving per `read`/`write` call: %.0f ticks; "
                  "%d round(s).\n\n%s\n" % (hz, saving, rounds, table))
        md.append("Largest |predicted - measured| Smode / Umode over these rows: %s.\n" % (
            "%.1f percentage points" % worst if worst is not None else "- (no row to compare)"))
        chart_path = os.path.join(docs, "bench-server-%s.svg" % mode)
        try:
            server_chart(res, mode, chart_path)
            md.append("![file server, Smode / Umode, %s](bench-server-%s.svg)\n" % (mode, mode))
        except (OSError, subprocess.SubprocessError) as e:
            md.append("(no chart: %s)\n" % e)

    md.append("## The adaptive mode manager: two services, the load moving "
              "([workloads.md](workloads.md))\n")
    md.append("`/bin/scenario %s` starts services A and B (two file servers with a 512 KiB "
              "key-value store each, 4 connections each); the load (alternating `GET` of 64 B and "
              "`KGET`) is on A for the first half of 1 s and on B for the second. Policies: all "
              "Umode; A fixed in Smode; `/bin/modemgr` (period 50 ms, promote at 2000 calls/s, "
              "demote below 500, after 2 periods, a budget of 1.5 services' memory: one fits in "
              "Smode, not both). Medians over the rounds; each round runs the policies in another "
              "order.\n" % SCEN_ARGS)
    for mode in [m for m in modes if m in ("tcg", "icount")]:
        rounds = SCEN_ROUNDS.get(mode, 1)
        print("bench: scenario under %s ..." % mode, flush=True)
        lines, cmd, err = boot_lines(build, mem, mode, "/bin/scenario %s -r %d" % (SCEN_ARGS, rounds),
                                     "SCEN")
        md.append("### Under %s\n\nCommand: `%s`\n" % (MODE_TITLE[mode], cmd))
        if err:
            md.append("(not measured: the run %s)\n" % err)
            continue
        res, ms, log = scenario_results(lines)
        md.append(scenario_table(res) + "\n\n" + verdict(res) + "\n")
        chart_path = os.path.join(docs, "bench-scenario-%s.svg" % mode)
        try:
            scenario_chart(res, ms, mode, chart_path)
            md.append("![throughput over time, %s](bench-scenario-%s.svg)\n" % (mode, mode))
        except (OSError, subprocess.SubprocessError, KeyError, IndexError) as e:
            md.append("(no chart: %s)\n" % e)
        md.append("modemgr's decisions in the first round:\n\n```\n%s\n```\n" % "\n".join(
            first_round(log)))

    print("bench: scenario under memory pressure (tcg, MEM=%d) ..." % PRESSURE_MEM, flush=True)
    lines, cmd, err = boot_lines(build, PRESSURE_MEM, "tcg", "/bin/scenario %s -q -k %d" % (
        SCEN_ARGS, PRESSURE_KIB), "SCEN", swap=True, timeout=400)
    md.append("### Under memory pressure (TCG, %d MiB, %d KiB stores)\n\nTwo stores of %d KiB do "
              "not fit in %d MiB together: pages go to swap. A page-in is counted against the mode "
              "the service had at both ends of a 100 ms bucket, or as *during a switch* (becoming "
              "Smode pages the whole store in to pin it).\n\nCommand: `%s`\n" % (
                  PRESSURE_MEM, PRESSURE_KIB, PRESSURE_KIB, PRESSURE_MEM, cmd))
    if err:
        md.append("(not measured: the run %s)\n" % err)
    else:
        res, ms, log = scenario_results(lines)
        md.append(pressure_table(res) + "\n\n" + scenario_table(res) + "\n")
        md.append("modemgr's decisions:\n\n```\n%s\n```\n" % "\n".join(log[:12] or ["(none)"]))
    return "\n".join(md)


if __name__ == "__main__":
    main()
