#!/usr/bin/env python3
"""Run every command a lab handout shows, in that lab's student tree, so
that a handout command that stops working fails CI (make check-labs runs
this for each lab once it has built the handout).

A command is a line of a fenced code block in docs/labs/labN.md whose first
word is one of COMMANDS (make, python3, nm, ...); a trailing "# comment" is
dropped, and prompts and transcripts (GDB's, Bochs's) are not commands.
Each runs with bash in the handout tree under a timeout. Its input is
/dev/null (so the debugger targets, make bochs-PROG and make qemu-gdb-PROG,
start, reach their prompt, read end of input and quit), except for a boot
into the shell (make run..., ending in sh): the block's "$ " lines after it
are typed at the guest's shell, then "exit" (the first process exits: the
guest powers off). It fails on:
  - a timeout;
  - an exit status other than 0 (for make grade and tests/run.py, which
    report failing tests by their status, also 1, or make's 2 for a recipe
    that failed: a handout does fail tests);
  - output that shows the command itself is broken (BROKEN: a make target
    or file that does not exist, a program the kernel cannot start, a
    Python traceback, a GDB script error, ...).

usage: checkhandouts.py LAB TREE [LOGDIR]   exit status 1 if any command failed
Python 3 standard library only."""
import os
import re
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = ("make", "python3", "nm", "git", "cat", "printf")
TIMEOUT = 600  # seconds: `make bench` and a full `make grade` fit
BROKEN = (
    "No rule to make target",
    "cannot run the first process",
    "No such file or directory",
    "command not found",
    "Traceback (most recent call last)",
    "no such test case",
    "has no test",
    "Error in sourced command file",
    "No symbol table is loaded",
    "make grade: say which lab",
)
MAY_FAIL_TESTS = (re.compile(r"\bmake\b.*\bgrade\b"), re.compile(r"\btests/run\.py\b"))


BOOTS_SHELL = re.compile(r"^make run(-sh|-nox)?(\s|$)")


def strip_comment(line):
    """line without its trailing "# comment" and outer blanks."""
    return re.sub(r"\s+#.*$", "", line).strip()


def commands(lab, root=ROOT):
    """The (command, input) pairs of docs/labs/labN.md's code blocks, in
    order: input is None, or the text typed at the guest's shell."""
    with open(os.path.join(root, "docs", "labs", "lab%d.md" % lab)) as f:
        text = f.read()
    out = []
    for block in re.findall(r"^```[\w-]*\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            words = line.split()
            if words and words[0] in COMMANDS:
                cmd = strip_comment(line)
                out.append([cmd, "" if BOOTS_SHELL.match(cmd) else None])
            elif line.startswith("$ ") and out and out[-1][1] is not None:
                out[-1][1] += strip_comment(line[2:]) + "\n"
    return [(cmd, None if typed is None else typed + "exit\n") for cmd, typed in out]


def failure(cmd, status, output):
    """Why one command's run counts as broken, or None."""
    if status is None:
        return "timed out after %d s" % TIMEOUT
    allowed = (0, 1, 2) if any(p.search(cmd) for p in MAY_FAIL_TESTS) else (0,)
    if status not in allowed:
        return "exit status %d" % status
    for marker in BROKEN:
        if marker in output:
            return "its output says %r" % marker
    return None


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (for NETPORT:
    another tree's make run may hold the default)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, tree, typed=None):
    """(exit status or None for a timeout, output) of cmd run in tree, with
    typed as its input (None: /dev/null)."""
    try:
        inp = {"stdin": subprocess.DEVNULL} if typed is None else {"input": typed.encode()}
        env = dict(os.environ, NETPORT=str(free_port()))
        p = subprocess.run(["bash", "-c", cmd], cwd=tree, capture_output=True,
                           timeout=TIMEOUT, env=env, **inp)
        return p.returncode, (p.stdout + p.stderr).decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return None, ((e.stdout or b"") + (e.stderr or b"")).decode(errors="replace")


def check(lab, tree, logdir):
    """Run lab's handout commands in tree; print a line each; return the
    problems (strings)."""
    problems = []
    os.makedirs(logdir, exist_ok=True)
    for i, (cmd, typed) in enumerate(commands(lab)):
        status, out = run(cmd, tree, typed)
        log = os.path.join(logdir, "lab%d-command-%d.log" % (lab, i + 1))
        with open(log, "w") as f:
            f.write("$ %s\n%s" % (cmd, out))
        why = failure(cmd, status, out)
        print("  handout command %-52s %s" % (cmd[:52], "BROKEN: " + why if why else "ok"), flush=True)
        if why:
            problems.append("lab %d: the handout's command `%s` %s (%s)" % (lab, cmd, why, log))
    return problems


def main(argv):
    """Run one lab's handout commands (see the module's usage)."""
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    logdir = argv[3] if len(argv) == 4 else os.path.join(ROOT, "build", "check-labs")
    problems = check(int(argv[1]), argv[2], logdir)
    for p in problems:
        print("PROBLEM: " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main(sys.argv)
