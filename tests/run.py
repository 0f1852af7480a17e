#!/usr/bin/env python3
"""The test harness (make test): boots the kernel headless once per test case
and judges the run by its serial output and exit status.

Cases live in tests/cases.ini, one section per test:
  [name]
  kind    = qemu (default: QEMU -kernel), iso (QEMU booting a GRUB ISO),
            bochs (Bochs booting a GRUB ISO, with a debugger command file), or
            gdb (QEMU stopped at its first instruction, driven by GDB in batch
            mode; the output is GDB's transcript, then the console)
  cmdline = kernel command line (init=/test/t_x ..., test=NAME, ...)
  expect  = lines that must appear in the output, in this order (substrings)
  reject  = lines that must not appear
  status  = the guest's expected exit status (default 0), or "panic"
  mem     = guest MiB (default: --mem)
  input   = text typed on the serial console (\\n for newline): at once, or
            once the console shows input_after (Bochs: COM1 on a pty)
  at_most = lines "N text": text may appear on at most N lines
  keys    = text typed on the PS/2 keyboard (QEMU monitor sendkey) once the
            console shows keys_after (default "$ ")
  bochs   = (kind=bochs) debugger commands, one per line; ldsym comes first;
            {sym:PROG:NAME} stands for the address of NAME in user program PROG
  gdb     = (kind=gdb) GDB commands, one per line, after the kernel's symbols
            are loaded and GDB is connected; end with `continue` so that the
            guest runs to its power-off
  timeout = seconds (default: --timeout; Bochs gets 10x, it is that slow, GDB 3x)
  qemu    = extra QEMU arguments (e.g. -icount shift=0)
  kernel  = the kernel to boot, relative to the build directory (default kernel.elf)
  net     = 1: give the guest an e1000 card on isolated user networking
            (QEMU: -netdev user,restrict=on; Bochs: its slirp, restricted),
            127.0.0.1:PORT on the host forwarded to the guest's port 80, PORT
            a free port of its own (so that two runs can be at once). Only
            the cases that say so get a network (the others -nic none, not
            QEMU's default card on unrestricted user networking).
  swap    = no: boot without the swap disk (default: a fresh, zeroed disk of
            build/swap.img's size; the file-system image is a fresh copy too)
  client  = (with net = 1) a host command (words as a shell splits them, but
            no shell runs it), run from the top of the tree once
            the console shows `ready`: the guest serves, the client asks
            (tests/net/*.py, curl, ab, wrk). Its environment has NETPORT
            (the host port forwarded to the guest's port 80) and BUILD (the
            build directory, whose fs.img has the files the guest serves).
            When it has exited, `input` (default: a newline) is typed on the
            serial console, and the guest program ends the run (powers off)
  ready   = the console text that starts the client (e.g. "httpd: serving")

The output of a case with a client is the guest's console, then the
client's own output between "--- client: COMMAND ---" and "--- client exit
status: N ---". So `expect` lists the guest's lines first, then the
client's; the case fails unless the client exited 0 (or it never ran:
the console never showed `ready`).

A run fails on: a timeout, a triple fault (QEMU exits 0 with -no-reboot), a
panic (unless status = panic), a wrong exit status, or expected output that
is missing. The full output of every run is kept in build/test-out/NAME.log;
a boot with net = 1 also leaves its frames there: NAME.pcap (QEMU), or
NAME.pktlog.txt (Bochs: its slirp writes a text hex dump, not a pcap).
The last line is "N passed, M failed"; the exit status is 1 if anything
failed.

usage: run.py [--build DIR] [--mem MIB] [--timeout S] [--jobs N] [--cases FILE] [NAME ...]"""
import argparse
import concurrent.futures
import configparser
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PANIC_STATUS = 0x7E  # kernel/kernel.h POWER_PANIC
NM = os.environ.get("NM", "i686-linux-gnu-nm")


def fresh_images(build, workdir):
    """Each run starts from clean disks of its own: a zeroed swap disk of
    build/swap.img's size (never a copy: `make run` writes build/swap.img,
    and what a run left there must not reach the next), and a copy of the
    file-system image. (QEMU locks its images, too.) Returns (swap, fs)."""
    swap = os.path.join(workdir, "swap.img")
    with open(swap, "wb") as f:
        f.truncate(os.path.getsize(os.path.join(build, "swap.img")))
    fs = os.path.join(workdir, "fs.img")
    shutil.copy(os.path.join(build, "fs.img"), fs)
    return swap, fs


def qemu_status(rc):
    """What QEMU's exit status rc says: with isa-debug-exit the guest's
    power-off status s comes out as 2s+1; 0 is a reset (-no-reboot)."""
    if rc == 0:
        return "triple"
    return (rc - 1) // 2 if rc % 2 == 1 else "qemu exit %d" % rc


def unescape(s):
    """A case's text with its backslash escapes (\\n) made characters."""
    return s.encode().decode("unicode_escape")


def qemu_cmd(case, build, mem):
    """QEMU's command line for case (its images in case["_fs"], ["_swap"], ["_iso"],
    its forwarded port in case["_netport"])."""
    base = ["qemu-system-i386", "-m", str(mem), "-display", "none", "-no-reboot",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    base += case.get("qemu", "").split()
    if case.get("net", "0") == "1":
        base += ["-netdev", "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:80" % (
                     case.get("_netport") or free_port()),
                 "-device", "e1000,netdev=net0"]
        if case.get("_pcap"):  # every frame, for tcpdump -r or Wireshark
            base += ["-object", "filter-dump,id=dump0,netdev=net0,file=%s.pcap" % case["_pcap"]]
    else:  # no network at all: without this QEMU adds its default NIC, unrestricted
        base += ["-nic", "none"]
    if case.get("swap", "yes") != "no":
        base += ["-drive", "file=%s,format=raw,if=ide,index=1" % case["_swap"]]
    if case.get("kind", "qemu") == "iso":
        return base + ["-cdrom", case["_iso"]]
    return base + ["-kernel", os.path.join(build, case.get("kernel", "kernel.elf")),
                   "-initrd", case["_fs"],
                   "-append", case.get("cmdline", "")]


def make_iso(build, cmdline, workdir, fs):
    """A GRUB ISO whose menu boots the kernel with cmdline, fs its module."""
    iso_root = os.path.join(workdir, "iso")
    os.makedirs(os.path.join(iso_root, "boot", "grub"))
    shutil.copy(os.path.join(build, "kernel.elf"), os.path.join(iso_root, "boot"))
    shutil.copy(fs, os.path.join(iso_root, "boot", "fs.img"))
    with open(os.path.join(iso_root, "boot", "grub", "grub.cfg"), "w") as f:
        f.write("set timeout=0\nset default=0\nmenuentry \"test\" {\n"
                "    multiboot /boot/kernel.elf %s\n"
                "    module /boot/fs.img fs.img\n    boot\n}\n" % cmdline)
    iso = os.path.join(workdir, "test.iso")
    p = subprocess.run(["grub-mkrescue", "--install-modules=multiboot normal", "--locales=",
                        "--fonts=", "--themes=", "-o", iso, iso_root],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    if p.returncode != 0:
        raise RuntimeError("grub-mkrescue failed (status %d):\n%s" % (p.returncode, p.stdout))
    return iso


def bochsrc(iso, mem, swap, log, serial, debuglog):
    """tools/bochsrc with its @...@ fields filled in."""
    with open(os.path.join(ROOT, "tools", "bochsrc")) as f:
        rc = f.read()
    return (rc.replace("@ISO@", iso).replace("@MEM@", str(mem)).replace("@SWAP@", swap)
            .replace("@LOG@", log).replace("@SERIAL@", serial).replace("@DEBUGLOG@", debuglog))


KEY_NAMES = {" ": "spc", "\n": "ret", "-": "minus", "/": "slash", ".": "dot", "|": "shift-backslash",
             "&": "shift-7", ">": "shift-dot", "<": "shift-comma"}


def send_keys(sock_path, text):
    """Type text on the PS/2 keyboard through the QEMU monitor (sendkey)."""
    import socket
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    for ch in text:
        key = KEY_NAMES.get(ch, ch if ch.islower() or ch.isdigit() else None)
        if key is None:
            raise SystemExit("run.py: cannot type %r" % ch)
        s.sendall(("sendkey %s\n" % key).encode())
        time.sleep(0.02)
    time.sleep(0.2)
    s.close()


def run_qemu_typed(case, build, mem, timeout, workdir):
    """Boot, wait for a text on the console, then type and collect the rest:
    `keys` on the PS/2 keyboard (not the serial line) once the console shows
    `keys_after`, or `input` on the serial line once it shows `input_after`;
    or, for a case with a `client`, run the client once the console shows
    `ready` and type `input` when the client has exited."""
    import select
    keys = "keys" in case
    cmd = qemu_cmd(case, build, mem)
    deadline = time.time() + timeout
    client = Client(case, build, deadline) if "client" in case else None
    if keys:
        sock = os.path.join(workdir, "monitor.sock")
        cmd += ["-monitor", "unix:%s,server,nowait" % sock]
        want = case.get("keys_after", "$ ").encode()
    else:
        want = (case["ready"] if client else case["input_after"]).encode()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL if keys else subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    seen = sent = False
    while time.time() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.1)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
        if not seen and want in out:
            seen = True
            if client:
                client.start()
        if seen and not sent and (not client or client.finished()):
            if keys:
                send_keys(sock, unescape(case["keys"]))
            else:
                try:
                    p.stdin.write(unescape(case.get("input", "\\n" if client else "")).encode())
                    p.stdin.flush()
                except BrokenPipeError:  # QEMU is gone already: the output says why
                    pass
            sent = True
    try:
        p.wait(timeout=max(0.1, deadline - time.time()))
        status = qemu_status(p.returncode)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        status = None
    text = out.decode(errors="replace")
    if client:
        text += client.report()
    return text, status


class Client:
    """The host-side client of a case with `client` (tests/net/): started
    once the console shows `ready`, in a thread of its own (the console
    must be read meanwhile), with NETPORT and BUILD in its environment.
    It must end before the case's deadline, less a margin for the guest's
    shutdown; else it is killed and counts as failed."""

    MARGIN = 0.1  # the part of the case's time left to the guest after the client

    def __init__(self, case, build, deadline):
        self.cmd = case["client"]
        self.env = dict(os.environ, NETPORT=str(case["_netport"]),
                        BUILD=os.path.abspath(build))
        self.deadline = deadline - self.MARGIN * (deadline - time.time())
        self.thread = None
        self.status = "never started (the console never showed %r)" % case["ready"]
        self.output = ""

    def start(self):
        """Run the client in the background."""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        """The thread: run the command to its end (or the deadline), keep its output."""
        p = subprocess.Popen(shlex.split(self.cmd), cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors="replace", start_new_session=True)
        try:
            self.output, _ = p.communicate(timeout=max(1.0, self.deadline - time.time()))
            self.status = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # with what it started (curl, ab, wrk)
            self.output, _ = p.communicate()
            self.status = "killed: still running at the case's deadline"

    def finished(self):
        """Whether the client has run and exited."""
        return self.thread is not None and not self.thread.is_alive()

    def report(self):
        """The client's part of the case's output (it waits for the client to end)."""
        if self.thread:
            self.thread.join()
        return "\n--- client: %s ---\n%s%s--- client exit status: %s ---\n" % (
            self.cmd, self.output, "" if self.output.endswith("\n") or not self.output else "\n",
            self.status)


def run_qemu(case, build, mem, timeout):
    """(output, status) of case in QEMU with -kernel; status None for a timeout."""
    kernel = os.path.join(build, case.get("kernel", "kernel.elf"))
    if not os.path.exists(kernel):
        return "run.py: %s does not exist: build it with `make test` (or make %s)\n" % (
            kernel, kernel), "no kernel"
    inp = unescape(case.get("input", "")).encode()
    try:
        p = subprocess.run(qemu_cmd(case, build, mem), input=inp, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        return out, None
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    return out, qemu_status(p.returncode)


def libbase():
    """Where the kernel maps the first shared library, libsys.so (LIBBASE in
    kernel/mmu.h)."""
    with open(os.path.join(ROOT, "kernel", "mmu.h")) as f:
        return int(re.search(r"#define LIBBASE (0x[0-9A-Fa-f]+)u", f.read()).group(1), 16)


def defined_symbol(path, name):
    """The value of the symbol name that the ELF file path defines, or None."""
    out = subprocess.run([NM, path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name and parts[1] not in "Uw":
            return int(parts[0], 16)
    return None


def user_symbols(build, text):
    """Replace {sym:PROG:NAME} with the address of NAME in user program PROG
    (build/tests/PROG or build/user/PROG, which keep their symbols), or, for
    a function of the shared library, its address there (libsys.so is the
    first library every dynamically linked program gets, at LIBBASE)."""
    def lookup(m):
        """The address of one {sym:PROG:NAME}."""
        prog, name = m.group(1), m.group(2)
        for d in ("tests", "user"):
            path = os.path.join(build, d, prog)
            if not os.path.exists(path):
                continue
            value = defined_symbol(path, name)
            if value is None:
                in_lib = defined_symbol(os.path.join(build, "libsys.so"), name)
                value = None if in_lib is None else libbase() + in_lib
            if value is not None:
                return "0x%08x" % value
        raise SystemExit("run.py: no symbol %s in %s" % (name, prog))
    return re.sub(r"\{sym:([\w.-]+):(\w+)\}", lookup, text)


def discard_bochs_screen(stdout):
    """Read Bochs's stdout to the end. bochs-term draws the guest's screen on
    a pseudo-terminal of its own, named on stdout ('Bochs connected to screen
    "/dev/pts/N"'); with no reader that terminal fills up after a few hundred
    lines of console output and Bochs blocks writing to it. So open it and
    throw the screen away (the harness reads the serial console instead)."""
    def discard(fd):
        """Read fd until it fails, then close it."""
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass
        os.close(fd)
    for line in stdout:
        m = re.search(r'connected to screen "(/dev/pts/\d+)"', line)
        if m:
            fd = os.open(m.group(1), os.O_RDWR | os.O_NOCTTY)
            tty.setraw(fd)  # raw: nothing echoed back as Bochs's keyboard input
            threading.Thread(target=discard, args=(fd,), daemon=True).start()


class BochsSerial:
    """COM1 of a Bochs run on a pseudo-terminal, for cases with `input`: a
    thread collects the console output and types `input` once the console
    shows `input_after` (at once without it); for a case with a client,
    it starts the client once the console shows `ready` and types `input`
    (default: a newline) when the client has exited."""

    def __init__(self, case, client=None):
        self.master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no newline translation: bytes as they are
        self.slave_name = os.ttyname(slave)
        self.slave = slave  # kept open, so that the settings stay
        self.client = client
        self.text = unescape(case.get("input", "\\n" if client else "")).encode()
        self.want = (case["ready"] if client else case.get("input_after", "")).encode()
        self.out = b""
        self.reader = threading.Thread(target=self._run, daemon=True)
        self.reader.start()

    def _run(self):
        """The reader thread: collect output, type the input once it is due."""
        import select
        seen = sent = False
        try:
            while True:
                if not seen and self.want in self.out:
                    seen = True
                    if self.client:
                        self.client.start()
                if seen and not sent and (not self.client or self.client.finished()):
                    os.write(self.master, self.text)
                    sent = True
                if not select.select([self.master], [], [], 0.1)[0]:
                    continue  # (the client may finish while the console is quiet)
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.out += chunk
        except OSError:  # EIO once the slave side is closed: the run is over
            pass
        finally:
            os.close(self.master)

    def output(self):
        """All the console output, once Bochs has exited."""
        time.sleep(0.3)  # Bochs has exited: let the thread read what is left
        os.close(self.slave)  # the thread's next read fails: it closes the master
        self.reader.join(timeout=2)
        return self.out.decode(errors="replace")


def bochs_net(workdir, port=None, pktlog=None):
    """The bochsrc lines for a case with net = 1: the e1000 in PCI slot 1 on
    Bochs's built-in slirp, restricted to its own services (the guest
    reaches nothing outside), 127.0.0.1:PORT forwarded to the guest's port
    80, PORT port or a free one. Writes the slirp script into workdir. With
    pktlog, slirp logs every frame to that file (Bochs writes a text hex
    dump, not a pcap)."""
    script = os.path.join(workdir, "slirp.conf")
    with open(script, "w") as f:
        f.write("# slirp config\nrestricted = 1\nhostfwd = tcp:127.0.0.1:%d-:80\n" % (
            port or free_port()))
        if pktlog:
            f.write("pktlog = %s\n" % pktlog)
    return ("pci: enabled=1, chipset=i440fx, slot1=e1000\n"
            "e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp, script=%s\n" % script)


def run_bochs(case, build, mem, timeout, workdir):
    """(output, status) of case in Bochs, booting a GRUB ISO, with its debugger commands."""
    serial = os.path.join(workdir, "serial.txt")
    dbglog = os.path.join(workdir, "debugger.txt")
    rc = bochsrc(case["_iso"], mem, case["_swap"], os.path.join(workdir, "bochs.log"), serial, dbglog)
    if case.get("net", "0") == "1":
        rc += bochs_net(workdir, case.get("_netport"),
                        case["_pcap"] + ".pktlog.txt" if case.get("_pcap") else None)
    typed = client = None
    if "client" in case:
        client = Client(case, build, time.time() + timeout)
    if "input" in case or client:  # serial input: COM1 on a pseudo-terminal (mode=term)
        typed = BochsSerial(case, client)
        rc = rc.replace("mode=file, dev=" + serial, "mode=term, dev=" + typed.slave_name)
    rc_path = os.path.join(workdir, "bochsrc")
    with open(rc_path, "w") as f:
        f.write(rc)
    cmds = os.path.join(workdir, "cmds.txt")
    with open(cmds, "w") as f:
        f.write('ldsym global "%s"\n' % os.path.abspath(os.path.join(build, "kernel.sym")))
        f.write(user_symbols(build, case.get("bochs", "c")).strip() + "\n")
    env = dict(os.environ, TERM=os.environ.get("TERM") or "dumb")
    status = None
    # /usr/bin/bochs is a script that starts bochs-bin: on a timeout, end the
    # whole process group, or bochs-bin would go on running
    p = subprocess.Popen(["bochs", "-f", rc_path, "-rc", cmds], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace", env=env, cwd=workdir, start_new_session=True)
    threading.Thread(target=discard_bochs_screen, args=(p.stdout,), daemon=True).start()
    try:
        p.wait(timeout=timeout)
        status = "bochs-exited"
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    out = ""
    for path in (dbglog, serial):  # the debugger transcript, then the console
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                out += f.read()
    if typed:
        out += typed.output()
    if client:
        out += client.report()
    # Bochs has no exit status worth reading: use what the kernel printed.
    for line in out.splitlines():
        if line.startswith("poweroff: status "):
            status = int(line.split()[2])
    return out, status


def free_port():
    """A TCP port on 127.0.0.1 that is free now."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


GDB_SCRIPT_ERROR = "Error in sourced command file"
GDB_GUEST_GONE = "Remote connection closed"  # the last `continue`: the guest powered off


def run_gdb(case, build, mem, timeout, workdir):
    """QEMU waits at its first instruction for GDB, which runs the case's
    commands in batch mode. Output: GDB's transcript, then the console."""
    kernel = os.path.join(build, case.get("kernel", "kernel.elf"))
    port = free_port()
    serial = os.path.join(workdir, "serial.txt")
    cmd = [c if c != "stdio" else "file:" + serial for c in qemu_cmd(case, build, mem)]
    q = subprocess.Popen(cmd + ["-S", "-gdb", "tcp:127.0.0.1:%d" % port],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    script = os.path.join(workdir, "gdb.txt")
    with open(script, "w") as f:
        f.write("set pagination off\nset confirm off\nset architecture i386\n"
                "file %s\ntarget remote 127.0.0.1:%d\n" % (os.path.abspath(kernel), port))
        f.write(user_symbols(build, case.get("gdb", "continue")).strip() + "\n")
    status, out = None, ""
    try:
        g = subprocess.run(["gdb", "-q", "-nx", "-batch", "-x", script], capture_output=True,
                           text=True, errors="replace", timeout=timeout, cwd=ROOT)
        out = g.stdout + g.stderr
        try:
            status = qemu_status(q.wait(timeout=max(1.0, timeout / 4)))
        except subprocess.TimeoutExpired:
            pass  # QEMU did not power off: a timeout, with GDB's transcript kept
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")  # bytes, text=True or not
    finally:
        if q.poll() is None:
            q.kill()
            q.wait()
    if os.path.exists(serial):
        with open(serial, errors="replace") as f:
            out += f.read()
    m = re.search(GDB_SCRIPT_ERROR + r":\n(.*)", out)
    if m and m.group(1).strip() != GDB_GUEST_GONE:  # GDB ran none of the commands after it
        status = "the GDB script stopped at an error: %s" % m.group(1).strip()
    return out, status


def boot(case, build, mem, timeout):
    """Run one case from clean images in a scratch directory; returns
    (output, status, seconds). status: the guest's power-off status, None
    for a timeout, "triple" for a reset, or a string saying what went wrong."""
    kind = case.get("kind", "qemu")
    workdir = tempfile.mkdtemp(prefix="dmsm-test-")
    start = time.time()
    try:
        case = dict(case)
        case["_swap"], case["_fs"] = fresh_images(build, workdir)
        if case.get("net", "0") == "1":
            case["_netport"] = free_port()
        if kind in ("iso", "bochs"):
            case["_iso"] = make_iso(build, case.get("cmdline", ""), workdir, case["_fs"])
        if kind == "bochs":
            out, status = run_bochs(case, build, mem, timeout, workdir)
        elif kind == "gdb":
            out, status = run_gdb(case, build, mem, timeout, workdir)
        elif "keys" in case or "input_after" in case or "client" in case:
            out, status = run_qemu_typed(case, build, mem, timeout, workdir)
        else:
            out, status = run_qemu(case, build, mem, timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return out, status, time.time() - start


KIND_FACTOR = {"bochs": 10, "gdb": 3}


def judge(case, out, status):
    """Why the run failed, or None."""
    want = case.get("status", "0")
    if "client" in case:
        m = re.search(r"^--- client exit status: (.*) ---$", out, re.M)
        if not m or m.group(1) != "0":
            return "the client %s" % (
                "did not run" if not m else "exited with status " + m.group(1)
                if m.group(1).isdigit() else m.group(1))
    if status is None:
        return "timeout"
    if status == "triple":
        return "triple fault (QEMU exited 0: the machine reset)"
    if isinstance(status, str) and want != "any":
        return "no power-off status (%s)" % status
    if want == "panic":
        if status != PANIC_STATUS:
            return "expected a panic, got status %s" % status
    elif "PANIC" in out:
        return "kernel panic"
    elif want != "any" and status != int(want):
        return "exit status %s, expected %s" % (status, want)
    pos = 0
    for line in case.get("expect", "").strip().splitlines():
        line = line.strip()
        i = out.find(line, pos)
        if i < 0:
            return "missing output: %r" % line
        pos = i + len(line)
    for line in case.get("reject", "").strip().splitlines():
        if line.strip() and line.strip() in out:
            return "unexpected output: %r" % line.strip()
    for line in case.get("at_most", "").strip().splitlines():
        most, text = line.strip().split(None, 1)
        n = sum(text in l for l in out.splitlines())
        if n > int(most):
            return "%r on %d lines, at most %s expected" % (text, n, most)
    return None


def run_case(name, case, args):
    """Boot one case of make test and judge it: (name, passed, the report line)."""
    mem = int(case.get("mem", args.mem))
    timeout = float(case.get("timeout", args.timeout)) * KIND_FACTOR.get(case.get("kind"), 1)
    outdir = os.path.join(args.build, "test-out")
    os.makedirs(outdir, exist_ok=True)
    case["_pcap"] = os.path.join(os.path.abspath(outdir), name)  # + .pcap, or Bochs's .pktlog.txt
    out, status, elapsed = boot(case, args.build, mem, timeout)
    why = judge(case, out, status)
    log = os.path.join(outdir, name + ".log")
    with open(log, "w") as f:
        f.write(out)
    if why is None:
        return name, True, "PASS  %-22s %5.1fs" % (name, elapsed)
    return name, False, "FAIL  %-22s %5.1fs  %s (output: %s)" % (name, elapsed, why, log)


def main():
    """Run the cases (all, or those named), --jobs at a time; exit 1 if any failed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--mem", default="128")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cases", default=os.path.join(ROOT, "tests", "cases.ini"))
    ap.add_argument("names", nargs="*", help="run only these cases")
    args = ap.parse_args()
    args.jobs = max(1, min(args.jobs, 2))  # at most two emulators at once

    cfg = configparser.ConfigParser(interpolation=None)
    cfg.optionxform = str
    cfg.read(args.cases)
    names = args.names or cfg.sections()
    unknown = [n for n in names if not cfg.has_section(n)]
    if unknown:
        sys.exit("run.py: no such test case: %s" % ", ".join(unknown))

    start = time.time()
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_case, n, dict(cfg[n]), args) for n in names]
        for fut in futures:
            name, ok, line = fut.result()
            print(line, flush=True)
            passed += ok
            failed += not ok
    print("suite wall time: %.1fs" % (time.time() - start))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
