#!/usr/bin/env python3
"""make bochs-PROG: run Bochs with its debugger on this terminal.

usage: bochs-prog.py BUILD_DIR MEM CMDLINE
       bochs-prog.py --show BUILD_DIR PROG   print the addresses of PROG's
                   main and of the stubs the handouts break at (a stub of the
                   shared library is where libsys.so is mapped, LIBBASE)
Boots the kernel of BUILD_DIR with CMDLINE as the test harness does
(tests/run.py: a GRUB ISO with a fresh copy of fs.img, a zeroed swap disk,
tools/bochsrc filled in), in BUILD_DIR/bochs-prog, with the guest's serial
console on this terminal. Bochs's `term` display draws the guest's VGA
screen on a pseudo-terminal of its own, named on Bochs's output; with no
reader it fills up and Bochs stops. This wrapper passes Bochs's output
through to this terminal, reads and drops that screen, and leaves stdin to
the debugger. With NETPORT in the environment the guest gets the e1000 on
Bochs's slirp, restricted, 127.0.0.1:NETPORT forwarded to its port 80 (as
tests/run.py's cases with net = 1)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import run  # noqa: E402  (fresh_images, make_iso, bochsrc, discard_bochs_screen)


SHOWN = ("main", "getpid", "switch_supervisor", "switch_user")


def show(build, prog):
    """Print NAME=ADDRESS for each of SHOWN that PROG has."""
    found = []
    for name in SHOWN:
        try:
            found.append("%s=%s" % (name, run.user_symbols(build, "{sym:%s:%s}" % (prog, name))))
        except SystemExit:
            pass
    print(" ".join(found))


def main():
    """Boot the ISO in Bochs with the kernel's symbols loaded; the console prints here."""
    if len(sys.argv) == 4 and sys.argv[1] == "--show":
        return show(sys.argv[2], sys.argv[3])
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    build, mem, cmdline = sys.argv[1:]
    work = os.path.join(build, "bochs-prog")
    shutil.rmtree(work, ignore_errors=True)  # (and the lock a killed Bochs left)
    os.makedirs(work)
    swap, fs = run.fresh_images(build, work)
    iso = run.make_iso(build, cmdline, work, fs)
    rc = os.path.join(work, "bochsrc")
    with open(rc, "w") as f:
        f.write(run.bochsrc(iso, mem, swap, os.path.join(build, "bochs.log"), "/dev/stdout",
                            "/dev/null"))
        if os.environ.get("NETPORT"):
            f.write(run.bochs_net(work, int(os.environ["NETPORT"]),
                                  os.path.join(os.path.abspath(build), "net-bochs.txt")))
    cmds = os.path.join(work, "init.txt")
    with open(cmds, "w") as f:
        f.write('ldsym global "%s"\n' % os.path.join(build, "kernel.sym"))
    p = subprocess.Popen(["bochs", "-q", "-f", rc, "-rc", cmds], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)

    def lines():
        """Bochs's output lines, each echoed here as it comes."""
        for line in p.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            yield line
    try:
        run.discard_bochs_screen(lines())
    except KeyboardInterrupt:
        pass
    sys.exit(p.wait())


if __name__ == "__main__":
    main()
