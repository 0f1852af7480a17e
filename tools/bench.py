#!/usr/bin/env python3
"""make bench: boot the OS headless with init=/bin/bench under each way of
measuring, and write docs/bench.md and the Fig. 7 charts (gnuplot). Then the
workloads (docs/workloads.md): the file server (init=/bin/loadgen -bench) and
the three-policy scenario (init=/bin/scenario), with their charts; these
sections are optional: a run that fails is reported, never fatal.

This file only measures and computes the figures and tables; the prose of
docs/bench.md is tools/bench.md.in, a string.Template in parts that main()
and the section functions fill in (Prose).

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
import string
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import run as harness  # noqa: E402  (tests/run.py: boot() from clean images, its QEMU command)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchnet  # noqa: E402  (the web server under ab and wrk)

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
    for m in re.finditer(r"^BENCH frames10 (\S+) used=(\d+) shared=(\d+)", out, re.M):
        res[("frames10", m.group(1))] = (int(m.group(2)), int(m.group(3)))
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
    """A figure as the tables show it: no decimals from 100 up, else one."""
    return "%.0f" % v if v >= 100 else "%.1f" % v


def fig7_table(res):
    """Fig. 7: each call's cost on every path, and the ratios between them."""
    lines = ["| call | conventional `int 0x80` | DMSM stub, Umode (`int`) | DMSM stub, Smode (`call`) "
             "| sysenter | floor | Smode / conv. | Umode DMSM / conv. | conv. - Smode |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in CALLS:
        conv = res[(c, "conventional")][0]
        dint = res[(c, "dmsm-int")][0]
        func = res[(c, "dmsm-func")][0]
        sysenter = res.get((c, "sysenter"), (None,))[0]
        floor = res.get((c, "floor"), (None,))[0]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            c, fmt(conv), fmt(dint), fmt(func), fmt(sysenter) if sysenter else "-",
            fmt(floor) if floor else "-", percent(func, conv, "%.0f %%"), percent(dint, conv),
            fmt(conv - func)))
    return "\n".join(lines)


def libsys_text_pages(build):
    """The pages of libsys.so's text (its executable PT_LOAD segment), from
    its ELF program headers."""
    with open(os.path.join(build, "libsys.so"), "rb") as f:
        elf = f.read()
    phoff, = struct.unpack_from("<I", elf, 28)
    phentsize, phnum = struct.unpack_from("<HH", elf, 42)
    pages = 0
    for i in range(phnum):
        ptype, _, vaddr, _, _, memsz, flags, _ = struct.unpack_from("<8I", elf, phoff + i * phentsize)
        if ptype == 1 and flags & 1:  # PT_LOAD, PF_X
            pages += (vaddr + memsz + 4095) // 4096 - vaddr // 4096
    return pages


def percent(a, b, form="%.1f %%"):
    """a / b as a percentage in form, or "-" when b is 0 (a figure the run
    did not make: lab 7's handout before its exercises are written)."""
    return form % (100 * a / b) if b else "-"


def linking_table(res, build):
    """Fig. 7 static against dynamic (each measured by bench -fig7 in a new
    process), fork + exec + exit of a small program, and the frames of 10
    running copies; or None if the run has no such figures."""
    if ("getpid", "conventional-static") not in res or ("getpid", "conventional-dynamic") not in res:
        return None
    lines = ["| call | path | static | dynamic | dynamic - static | dynamic / static |",
             "|---|---|---:|---:|---:|---:|"]
    for c in CALLS:
        for path in ("conventional", "dmsm-int", "dmsm-func"):
            st, dy = res[(c, path + "-static")][0], res[(c, path + "-dynamic")][0]
            lines.append("| %s | %s | %s | %s | %+.1f | %s |" % (
                c, path, fmt(st), fmt(dy), dy - st, percent(dy, st)))
    if ("spawn", "static") in res:
        st, dy = res[("spawn", "static")][0], res[("spawn", "dynamic")][0]
        lines.append("| fork + exec + exit + wait | `/bin/true` | %s | %s | %+.0f | %s |" % (
            fmt(st), fmt(dy), dy - st, percent(dy, st)))
    if ("frames10", "static") in res:
        st, dy = res[("frames10", "static")][0], res[("frames10", "dynamic")][0]
        text = libsys_text_pages(build)
        lines += ["", "| 10 running copies of `/bin/sleep` | static | dynamic | static - dynamic "
                  "| 9 x libsys's text pages |", "|---|---:|---:|---:|---:|",
                  "| frames in use | %d | %d | %d | 9 x %d = %d |" % (st, dy, st - dy, text, 9 * text)]
    return "\n".join(lines)


def fig8_table(res):
    """Fig. 8: switching oneself, against a conventional getpid."""
    g = res[("getpid", "conventional")][0]
    lines = ["| call | cycles | / conventional getpid |", "|---|---:|---:|"]
    for c in ("switch_supervisor", "switch_user"):
        v = res[(c, "self")][0]
        lines.append("| `%s(0)` | %s | %s |" % (c, fmt(v), "%.1f" % (v / g) if g else "-"))
    return "\n".join(lines)


def fig9_table(res):
    """Fig. 9: ls -l's Umode and Smode runs, their system calls, and what
    those calls save at getpid's saving per call."""
    saving = getpid_saving(res)
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
    return "\n".join(lines)


def getpid_saving(res):
    """What entering by `call` instead of `int 0x80` saves on a getpid:
    conventional minus DMSM Smode."""
    return res[("getpid", "conventional")][0] - res[("getpid", "dmsm-func")][0]


def malloc_table(res):
    """libsys's malloc timed over a whole run; None when the boot log has
    no malloc figure."""
    lines = ["| run | whole run | per block (malloc + free) |", "|---|---:|---:|"]
    for (call, path), (median, _) in sorted(res.items()):
        m = re.match(r"malloc/(\d+)x(\d+)$", call)
        if m:
            lines.append("| %s x `malloc(%s)`, then `free` of each, in order (%s) | %s | %s |" % (
                m.group(1), m.group(2), path, fmt(median), fmt(median / int(m.group(1)))))
    return "\n".join(lines) if len(lines) > 2 else None


SIZES = [64, 1024, 4096, 16384]
PROCS = [1, 8, 32]


def scale_missing(res):
    """The scale figures the boot log lacks (a child or a fork failed: its
    BENCH-SKIP or "bench:" line says why), as `call path` strings."""
    keys = [(c, "size-%d" % k) for k in SIZES for c in ("switch_supervisor", "switch_user")]
    keys += [("getpid", "procs-%d" % n) for n in PROCS]
    return ["%s %s" % k for k in keys if k not in res]


def scale_tables(res, mode, prose):
    """The two scale tables and their charts' links, or one line naming what
    was not measured."""
    missing = scale_missing(res)
    if missing:
        return prose.fill("scale-not-measured", missing=", ".join("`%s`" % m for m in missing))
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
    return "\n".join(lines) + "\n\n" + prose.fill("scale-charts", mode=mode)


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
    """What a figure under mode counts."""
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


TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.md.in")


class Prose:
    """The prose of docs/bench.md: the parts of tools/bench.md.in (a line
    "@@ NAME" starts each), each a string.Template."""

    def __init__(self, path=TEMPLATE):
        self.parts, name, lines = {}, None, []
        with open(path) as f:
            for line in f.read().splitlines() + ["@@ "]:
                if line.startswith("@@ "):
                    if name:
                        self.parts[name] = string.Template("\n".join(lines).strip("\n"))
                    name, lines = line[3:].strip(), []
                else:
                    lines.append(line)

    def fill(self, part, **figures):
        """Part filled in with figures (every ${name} in it must be given)."""
        return self.parts[part].substitute(figures)

    def page(self, **figures):
        """The whole document, filled in: runs of blank lines (where a
        section was empty) collapse to one, and it ends with one newline."""
        return re.sub(r"\n{3,}", "\n\n", self.fill("document", **figures)).strip("\n") + "\n"


def measure(build, mem):
    """Run /bin/bench under every way of measuring that works here:
    (modes measured, {mode: why not} for the others, {mode: results},
    {mode: command line}). Exits when a mandatory mode fails."""
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
    return modes, skipped, results, cmds


def host_cpu():
    """The host processor's model name, from /proc/cpuinfo."""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return "unknown"


def mode_section(prose, mode, res, cmd, build):
    """The section of one way of measuring: Fig. 7 (both ways of linking),
    Fig. 8, the scale, Fig. 9, malloc."""
    malloc = malloc_table(res)
    linking = linking_table(res, build)
    return prose.fill("mode", title=MODE_TITLE[mode], note=prose.fill("note-" + mode),
                      command=cmd, mode=mode, fig7_table=fig7_table(res), fig8_table=fig8_table(res),
                      linking_table=linking or prose.fill("linking-not-measured"),
                      scale_tables=scale_tables(res, mode, prose), fig9_table=fig9_table(res),
                      saving=fmt(getpid_saving(res)),
                      malloc_table=malloc or prose.fill("malloc-not-measured"))


def minutes(secs):
    """A duration as the Rerun section gives it: "about N minutes"."""
    n = max(1, round(secs / 60))
    return "about %d minute%s" % (n, "" if n == 1 else "s")


def main():
    """usage: bench.py BUILD_DIR OUT_MD [MEM]: measure, draw, write OUT_MD."""
    start = time.time()
    build, out_md = sys.argv[1], sys.argv[2]
    mem = sys.argv[3] if len(sys.argv) > 3 else "128"
    prose = Prose()
    modes, skipped, results, cmds = measure(build, mem)
    docs = os.path.dirname(out_md) or "."
    for mode in modes:
        chart(results[mode], mode, os.path.join(docs, "bench-fig7-%s.svg" % mode))
        scale_charts(results[mode], mode, docs)
    workloads_start = time.time()
    try:  # optional: a failure here is reported in the file, never fatal
        workloads = workload_sections(build, mem, modes, results, docs, prose)
    except Exception as e:  # pylint: disable=broad-except
        workloads = prose.fill("workloads-failed", error="%s: %s" % (type(e).__name__, e))
    workloads_secs = time.time() - workloads_start
    try:
        page = make_page(prose, build, mem, modes, skipped, results, cmds, workloads, start,
                         workloads_secs)
    except ZeroDivisionError:
        print("bench: a figure is 0, so its ratios cannot be computed (in lab 7's handout: the "
              "measurement exercises are not written yet); %s is left as it was" % out_md)
        return
    with open(out_md, "w") as f:
        f.write(page)
    print("bench: wrote %s and %s" % (out_md, ", ".join(
        os.path.join(docs, "bench-fig7-%s.svg" % m) for m in modes)))


def make_page(prose, build, mem, modes, skipped, results, cmds, workloads, start, workloads_secs):
    """docs/bench.md's text from the measurements."""
    qemu = subprocess.run(["qemu-system-i386", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    return prose.page(
        date=datetime.date.today().isoformat(), cpu=host_cpu(), host=platform.platform(),
        qemu=qemu, mem=mem, modes=", ".join(modes),
        not_measured="\n\n".join(prose.fill("not-measured", title=MODE_TITLE[m], why=why)
                                 for m, why in skipped.items()),
        mode_sections="\n\n".join(mode_section(prose, m, results[m], cmds[m], build) for m in modes),
        paper_table=paper_table(results), calls5=ls_calls(results["icount"], "5"),
        calls408=ls_calls(results["icount"], "408"), listing=fcall_listing(build),
        workloads=workloads, minutes=minutes(time.time() - start), workload_minutes=minutes(workloads_secs))


def paper_table(results):
    """The paper's figures beside icount's and TCG's."""
    r = results["icount"]
    t = results["tcg"]
    lines = ["| figure | paper (Pentium 4, FreeBSD 4.3) | here, icount | here, TCG |",
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
    return "\n".join(lines)


def ls_calls(res, d):
    """The system calls of ls -l's Smode runs on d files: "N", or "N-M" when
    console and file output differ."""
    n = [res[("ls/%s-%s" % (d, out), "smode-calls")][0] for out in ("console", "file")]
    return "%d" % min(n) if min(n) == max(n) else "%d-%d" % (min(n), max(n))


def fcall_listing(build):
    """The function receiver's fast path, from the build's disassembly:
    fcall_entry's instructions up to its first ret (across the labels
    inside it), one "address  instruction" line each."""
    with open(os.path.join(build, "kernel.asm"), errors="replace") as f:
        asm = f.read()
    m = re.search(r"^[0-9a-f]+ <fcall_entry>:\n", asm, re.M)
    if not m:
        return "(fcall_entry not found in build/kernel.asm)"
    body = []
    for line in asm[m.end():].splitlines():
        parts = line.split("\t")
        if not re.match(r"\s*[0-9a-f]+:\s", line) or len(parts) < 3:
            continue  # a blank line, a label, or the rest of a long encoding
        body.append("%s  %s" % (parts[0].strip(), parts[-1].strip()))
        if "ret" in parts[-1]:
            break
    return "\n".join(body)


MODE_TITLE = {"tcg": "QEMU TCG (RDTSC follows host time)",
              "icount": "QEMU `-icount shift=0` (RDTSC counts instructions)",
              "kvm": "KVM (real cycles)"}


# ---- the workloads: the file server and the mode manager's scenario ----
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
    """The key=value words of a boot-log line as a dict."""
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
    """The file server's Smode / Umode throughput and p99 as a bar chart at path."""
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
    """Each policy's requests per second over the scenario's time, a line chart at path."""
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
    """Each policy's total requests, per half, and against all-Umode and the best fixed policy."""
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


def verdict(res, prose):
    """Whether modemgr met the bar: at least 95 % of the best fixed policy's
    total, and above all-Umode."""
    if not all(p in res for p in POLICIES):
        return prose.fill("verdict-incomplete")
    best = max(res["umode"]["total"], res["fixed"]["total"])
    a = res["modemgr"]["total"]
    ok = a >= 0.95 * best and a > res["umode"]["total"]
    return prose.fill("verdict", of_best="%.1f" % (100 * a / best),
                      of_umode="%.1f" % (100 * a / res["umode"]["total"]),
                      met="met" if ok else "**not met**")


def pressure_table(res):
    """Each policy's page-ins per service, by the mode the service had."""
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


def server_section(build, mem, mode, fig7, docs, prose):
    """The file server under mode: one boot of loadgen -bench, its table and chart."""
    rounds = SERVER_ROUNDS.get(mode, 1)
    print("bench: file server under %s ..." % mode, flush=True)
    lines, cmd, err = boot_lines(build, mem, mode, "/bin/loadgen -bench -r 2000 -rounds %d" % rounds,
                                 "SERVER")
    if err:
        figures = prose.fill("run-failed", why=err)
    else:
        res, hz = server_results(lines)
        table, saving, worst = server_table(res, hz, fig7)
        try:
            server_chart(res, mode, os.path.join(docs, "bench-server-%s.svg" % mode))
            chart_md = prose.fill("server-chart", mode=mode)
        except (OSError, subprocess.SubprocessError) as e:
            chart_md = prose.fill("no-chart", error=e)
        figures = prose.fill("server-figures", hz=hz, saving="%.0f" % saving, rounds=rounds,
                             table=table, chart=chart_md,
                             worst="%.1f percentage points" % worst if worst is not None
                             else "- (no row to compare)")
    return prose.fill("server-mode", title=MODE_TITLE[mode], command=cmd, figures=figures)


def scenario_section(build, mem, mode, docs, prose):
    """The three-policy scenario under mode: its table, verdict, chart and modemgr's log."""
    rounds = SCEN_ROUNDS.get(mode, 1)
    print("bench: scenario under %s ..." % mode, flush=True)
    lines, cmd, err = boot_lines(build, mem, mode, "/bin/scenario %s -r %d" % (SCEN_ARGS, rounds),
                                 "SCEN")
    if err:
        figures = prose.fill("run-failed", why=err)
    else:
        res, ms, log = scenario_results(lines)
        try:
            scenario_chart(res, ms, mode, os.path.join(docs, "bench-scenario-%s.svg" % mode))
            chart_md = prose.fill("scenario-chart", mode=mode)
        except (OSError, subprocess.SubprocessError, KeyError, IndexError) as e:
            chart_md = prose.fill("no-chart", error=e)
        figures = prose.fill("scenario-figures", table=scenario_table(res),
                             verdict=verdict(res, prose), chart=chart_md,
                             log="\n".join(first_round(log)))
    return prose.fill("scenario-mode", title=MODE_TITLE[mode], command=cmd, figures=figures)


def pressure_figures(build, prose):
    """The scenario under memory pressure (TCG, swap): (its command, its page-in
    and throughput tables with modemgr's log)."""
    print("bench: scenario under memory pressure (tcg, MEM=%d) ..." % PRESSURE_MEM, flush=True)
    lines, cmd, err = boot_lines(build, PRESSURE_MEM, "tcg", "/bin/scenario %s -q -k %d" % (
        SCEN_ARGS, PRESSURE_KIB), "SCEN", swap=True, timeout=400)
    if err:
        return cmd, prose.fill("run-failed", why=err)
    res, _, log = scenario_results(lines)
    return cmd, prose.fill("pressure-figures", pressure_table=pressure_table(res),
                           table=scenario_table(res), log="\n".join(log[:12] or ["(none)"]))


def workload_sections(build, mem, modes, fig7, docs, prose):
    """Run the server and scenario boots; their part of docs/bench.md."""
    servers = [server_section(build, mem, mode, fig7[mode], docs, prose) for mode in modes]
    scenarios = [scenario_section(build, mem, mode, docs, prose)
                 for mode in modes if mode in ("tcg", "icount")]
    pressure_cmd, pressure = pressure_figures(build, prose)
    httpd = benchnet.section(build, mem, modes, fig7, MODE_QEMU, docs, prose)
    return prose.fill("workloads", server_sections="\n\n".join(servers), scen_args=SCEN_ARGS,
                      scenario_sections="\n\n".join(scenarios), pressure_mem=PRESSURE_MEM,
                      pressure_kib=PRESSURE_KIB, pressure_command=pressure_cmd,
                      pressure_figures=pressure, httpd=httpd)


if __name__ == "__main__":
    main()
