#!/usr/bin/env python3
"""make bochs-PROG: run Bochs with its debugger on this terminal.

usage: bochs-prog.py BOCHSRC RCFILE
Bochs's `term` display draws the guest's VGA screen on a pseudo-terminal of
its own, named on Bochs's output; with no reader it fills up and Bochs
stops. This wrapper passes Bochs's output through to this terminal, reads
and drops that screen (the guest's console comes through the serial port,
printed here by the bochsrc), and leaves stdin to the debugger."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import run  # noqa: E402  (discard_bochs_screen)


def main():
    rc, cmds = sys.argv[1], sys.argv[2]
    p = subprocess.Popen(["bochs", "-q", "-f", rc, "-rc", cmds], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)

    def lines():
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
