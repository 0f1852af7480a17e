"""make bench's web-server section: /bin/httpd in the guest, loaded by real
clients on the host (ab, with and without keep-alive, and wrk) through the
e1000 and QEMU's isolated user network (docs/net.md).

One boot per way of measuring (tcg, icount). In it, the server runs in Umode,
then is switched to Smode (`mode s PID`), then back to Umode with
/bin/modemgr managing it; every load runs in each of the three. Around each
load, /bin/cpustat prints the time-stamp counter, the time the CPU spent
halted, and the server's system-call counters, so each row has:
  - requests per second, as the client counts them (host time);
  - system calls per request (the server's procinfo counter);
  - busy time per request: TSC ticks while the CPU was not halted, over the
    requests. Under -icount the TSC counts guest instructions, so there this
    is instructions executed per request (kernel, stack, server, interrupts),
    which host noise cannot touch; under TCG it follows host time.
The predicted gain of Smode is the system calls per request times what
Fig. 7 measured one read/write to save (DMSM Umode minus DMSM Smode, same
way of measuring), over Umode's busy time per request; the measured gain is
1 - Smode's busy time per request / Umode's. Rates are ratios within one
boot. Through slirp every client connection is slirp's: its forwarded port
has a backlog of 1, so the loads use 4 connections (and keep-alive where
the client can)."""
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import run as harness  # noqa: E402

AB_REQUESTS = 2000
WRK_SECONDS = 5
PATH = "/README"
LOADS = [("ab -k", ["ab", "-q", "-k", "-n", str(AB_REQUESTS), "-c", "4"]),
         ("ab", ["ab", "-q", "-n", str(AB_REQUESTS), "-c", "4"]),
         ("wrk", ["wrk", "-t", "1", "-c", "4", "-d", "%ds" % WRK_SECONDS])]
SERVER_MODES = ["umode", "smode", "modemgr"]
ROUNDS = 2  # Umode and Smode alternate this many times in the boot; rows sum the rounds
TIMEOUT = 120


class Guest:
    """A QEMU boot of init=/bin/sh with the card on user networking, its
    serial console on our stdin/stdout: type lines, wait for output."""

    def __init__(self, build, mem, qemu_args):
        self.workdir = tempfile.mkdtemp(prefix="benchnet-")
        case = {"cmdline": "init=/bin/sh", "qemu": qemu_args, "net": "1", "swap": "no"}
        _, case["_fs"] = harness.fresh_images(build, self.workdir)
        self.cmd = harness.qemu_cmd(case, build, mem)
        self.port = int(re.search(r"hostfwd=tcp:127\.0\.0\.1:(\d+)-", " ".join(self.cmd)).group(1))
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace")
        self.lines = queue.Queue()
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\r\n"))

    def type(self, text):
        """Type one line into the guest's shell."""
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def wait_for(self, pattern, count=1):
        """The first count output lines matching pattern (a regex), in order;
        raises RuntimeError on a timeout or a panic."""
        found, deadline = [], time.time() + TIMEOUT
        while len(found) < count:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                raise RuntimeError("no line like %r within %d s; last lines: %s" % (
                    pattern, TIMEOUT, " | ".join(self.log[-5:])))
            self.log.append(line)
            if "PANIC" in line:
                raise RuntimeError("the guest panicked: %s" % line)
            if re.search(pattern, line):
                found.append(line)
        return found

    def close(self):
        try:
            self.type("exit")
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def mark(guest, pid):
    """(busy TSC, the server's syscalls, its int80 count, its switches, its mode)."""
    guest.type("cpustat %d" % pid)
    total, proc = (kv(l) for l in guest.wait_for(r"cpustat: (tsc|pid)=", 2))
    return (int(total["busy"]), int(proc["syscalls"]), int(proc["int80"]), int(proc["switches"]),
            proc["mode"])


def run_load(name, argv, port):
    """Run one client; (requests completed, failed, requests per second)."""
    url = "http://127.0.0.1:%d%s" % (port, PATH)
    out = subprocess.run(argv + [url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=300).stdout
    if name.startswith("ab"):
        done = int(re.search(r"Complete requests:\s+(\d+)", out).group(1))
        failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
        non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
        rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
        return done, failed + (int(non2xx.group(1)) if non2xx else 0), rps
    done = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return done, errors + (int(non2xx.group(1)) if non2xx else 0), rps


def measure_mode(guest, pid, server_mode):
    """Every load against the server as it runs now: {load: row}."""
    rows = {}
    for name, argv in LOADS:
        b0, c0, i0, w0, _ = mark(guest, pid)
        done, failed, rps = run_load(name, argv, guest.port)
        b1, c1, i1, w1, mode = mark(guest, pid)
        rows[name] = {"requests": done, "failed": failed, "rps": rps,
                      "calls": (c1 - c0) / done if done else 0,
                      "int80": (i1 - i0) / done if done else 0,
                      "busy": (b1 - b0) / done if done else 0,
                      "switches": w1 - w0, "mode": mode}
    return rows


def merge(rows, more):
    """Rows of another round added in: sums, and per-request figures weighted
    by requests."""
    if rows is None:
        return more
    for name, r in rows.items():
        m, n = more[name], r["requests"] + more[name]["requests"]
        for f in ("calls", "int80", "busy"):
            r[f] = (r[f] * r["requests"] + m[f] * m["requests"]) / n if n else 0
        r["rps"] = (r["rps"] + m["rps"]) / 2
        r["failed"] += m["failed"]
        r["switches"] += m["switches"]
        r["requests"], r["mode"] = n, m["mode"]
    return rows


def run_boot(build, mem, qemu_args):
    """One boot: the server in Umode and in Smode, ROUNDS times each in turn,
    then under modemgr. Returns ({server mode: {load: row}}, the QEMU command)."""
    guest = Guest(build, mem, qemu_args)
    try:
        guest.wait_for(r"starting /bin/sh")
        guest.type("httpd &")
        pid = int(re.search(r"pid (\d+)", guest.wait_for(r"httpd: serving")[0]).group(1))
        run_load("ab", ["ab", "-q", "-n", "50", "-c", "1"], guest.port)  # warm: ARP, caches
        res = {"umode": None, "smode": None}
        for _ in range(ROUNDS):
            res["umode"] = merge(res["umode"], measure_mode(guest, pid, "umode"))
            guest.type("mode s %d" % pid)
            guest.wait_for(r"mode: requested Smode")
            res["smode"] = merge(res["smode"], measure_mode(guest, pid, "smode"))
            guest.type("mode u %d" % pid)
            guest.wait_for(r"mode: requested Umode")
        guest.type("modemgr -q httpd &")
        res["modemgr"] = measure_mode(guest, pid, "modemgr")
        return res, " ".join(guest.cmd)
    finally:
        guest.close()


def table(res, saving, instructions):
    """The markdown table of one boot, and (predicted, measured) gains per load."""
    unit = "instructions" if instructions else "TSC ticks"
    lines = ["| load | server | requests | failed | req/s | calls/req | int 0x80/req | busy %s/req "
             "| switches |" % unit, "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, _ in LOADS:
        for m in SERVER_MODES:
            r = res[m][name]
            lines.append("| %s | %s (ends %s) | %d | %d | %.0f | %.1f | %.1f | %.0f | %d |" % (
                name, m, r["mode"], r["requests"], r["failed"], r["rps"], r["calls"], r["int80"],
                r["busy"], r["switches"]))
    lines += ["", "| load | Smode / Umode req/s | calls/req x saving | predicted gain "
              "| measured gain (busy/req) | difference |", "|---|---:|---:|---:|---:|---:|"]
    gaps = []
    for name, _ in LOADS:
        u, s = res["umode"][name], res["smode"][name]
        pred = 100 * u["calls"] * saving / u["busy"] if u["busy"] else 0
        meas = 100 * (1 - s["busy"] / u["busy"]) if u["busy"] else 0
        gaps.append(abs(pred - meas))
        lines.append("| %s | %.1f %% | %.0f | %.1f %% | %.1f %% | %.1f points |" % (
            name, 100 * s["rps"] / u["rps"] if u["rps"] else 0, u["calls"] * saving, pred, meas,
            abs(pred - meas)))
    return "\n".join(lines), gaps


def chart(results, path):
    """Smode / Umode per load: requests per second (TCG) and busy time per
    request (icount), as a gnuplot bar chart at path."""
    data = path + ".dat"
    with open(data, "w") as f:
        for name, _ in LOADS:
            row = [name.replace(" ", "_")]
            for mode in ("tcg", "icount"):
                r = results.get(mode)
                rps = 100 * r["smode"][name]["rps"] / r["umode"][name]["rps"] if r else 0
                busy = 100 * r["smode"][name]["busy"] / r["umode"][name]["busy"] if r else 0
                row += ["%.1f" % rps, "%.1f" % busy]
            f.write(" ".join(row) + "\n")
    script = """set terminal svg size 720,360 font 'sans,11'
set output '%s'
set title 'httpd under ab and wrk: Smode relative to Umode (100 = the same)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set ylabel 'percent of Umode'
set key outside right
plot '%s' using 2:xtic(1) title 'req/s, TCG', '' using 3 title 'busy/req, TCG', \\
     '' using 4 title 'req/s, icount', '' using 5 title 'busy/req, icount'
""" % (path, data)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data)


def section(build, mem, modes, fig7, mode_qemu, docs, prose):
    """docs/bench.md's httpd part: one boot per way of measuring (tcg, icount)."""
    parts, results = [], {}
    for mode in [m for m in modes if m in ("tcg", "icount")]:
        print("bench: httpd under %s ..." % mode, flush=True)
        saving = statistics.mean(fig7[mode][(c, "dmsm-int")][0] - fig7[mode][(c, "dmsm-func")][0]
                                 for c in ("read", "write"))
        try:
            res, cmd = run_boot(build, mem, mode_qemu[mode])
        except (RuntimeError, OSError, subprocess.SubprocessError, AttributeError, ValueError) as e:
            parts.append(prose.fill("httpd-mode", title=mode, command="-",
                                    figures=prose.fill("run-failed", why="failed: %s" % e)))
            continue
        results[mode] = res
        text, gaps = table(res, saving, mode == "icount")
        parts.append(prose.fill("httpd-mode", title=mode, command=cmd, figures=prose.fill(
            "httpd-figures", table=text, saving="%.0f" % saving, worst="%.1f" % max(gaps))))
    try:
        chart(results, os.path.join(docs, "bench-httpd.svg"))
        chart_md = prose.fill("httpd-chart")
    except (OSError, subprocess.SubprocessError, KeyError) as e:
        chart_md = prose.fill("no-chart", error=e)
    return prose.fill("httpd", requests=AB_REQUESTS, seconds=WRK_SECONDS, path=PATH,
                      sections="\n\n".join(parts), chart=chart_md)


def main():
    """usage: benchnet.py BUILD_DIR [tcg|icount] [SAVING]: one boot, its table
    on stdout (SAVING: Fig. 7's instructions saved per read/write; default
    72, docs/bench.md's icount figure)."""
    build = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "tcg"
    saving = float(sys.argv[3]) if len(sys.argv) > 3 else 72
    qemu = {"tcg": "", "icount": "-icount shift=0"}[mode]
    res, cmd = run_boot(build, "128", qemu)
    print(cmd)
    print(table(res, saving, mode == "icount")[0])


if __name__ == "__main__":
    main()
