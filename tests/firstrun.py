#!/usr/bin/env python3
"""make check-firstrun: the first run on a new machine, simulated.

CI's machine has every package installed already, so it cannot see a broken
first run. This check makes one: a copy of the tree, and a PATH on which the
toolchain and the emulators are missing and `apt-get` is a stand-in that
"installs" them by putting the real ones back on that PATH. Then:

  1. A plain `make` stops at once with one line that names the missing tools
     and says `make deps` installs them: no compiler error, nothing built.
  2. `make test TESTS=boot_banner` (an install goal, like `make run`) runs
     deps, which installs the tools, and then builds and passes, in the same
     command: nothing computed from a tool before deps ran survives.
  3. Each generator, made to fail after writing part of its output (the
     compiler for asmdefs.inc, nm for the symbol table, the linker,
     mkfs.py for fs.img, grub-mkrescue for the ISO, truncate for swap.img),
     leaves no output file behind; then a plain `make` with the real tools
     rebuilds everything, with no `make clean`.

usage: firstrun.py [REPO]   (REPO: the tree to copy, default: this one)
Prints PASS/FAIL per step and ends with "N passed, M failed"."""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

# The commands the stand-in apt-get "installs": what tools/deps.sh looks for.
HIDDEN_PREFIXES = ("i686-linux-gnu-", "i686-elf-")
HIDDEN = {"nasm", "grub-mkrescue", "xorriso", "mformat", "qemu-system-i386", "bochs", "gdb",
          "gnuplot"}
TIMEOUT = 900

results = []


def check(name, ok, detail=""):
    """Record and print one check: PASS, or FAIL with detail."""
    results.append(ok)
    print("%s  %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else "\n" + detail), flush=True)


def hidden(name):
    """Whether the simulated first run hides command name (the toolchain)."""
    return name in HIDDEN or name.startswith(HIDDEN_PREFIXES)


def script(path, text):
    """Write an executable script at path."""
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def make_fake_path(root):
    """A bin directory with every command of PATH but the hidden ones, and
    stand-ins for apt-get and sudo. Returns (bin dir, apt-get log path)."""
    fakebin = os.path.join(root, "bin")
    os.makedirs(fakebin)
    real = {}
    for d in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            full = os.path.join(d, name)
            if name in real or not os.access(full, os.X_OK) or os.path.isdir(full):
                continue
            real[name] = full
    for name, full in real.items():
        if not hidden(name) and name not in ("apt-get", "sudo"):
            os.symlink(full, os.path.join(fakebin, name))
    log = os.path.join(root, "apt-get.log")
    installs = "\n".join('ln -sf "%s" "%s"' % (full, os.path.join(fakebin, name))
                         for name, full in sorted(real.items()) if hidden(name))
    script(os.path.join(fakebin, "apt-get"), """#!/bin/sh
# stand-in for apt-get (tests/firstrun.py): "install" puts the real tools back
echo "apt-get $*" >> "%s"
case " $* " in *" install "*) %s ;; esac
exit 0
""" % (log, installs.replace("\n", "; ")))
    script(os.path.join(fakebin, "sudo"), '#!/bin/sh\nexec "$@"\n')
    return fakebin, log


def run(cmd, cwd, path, extra_env=None):
    """(status, output) of cmd in cwd with PATH=path and no outer make's variables."""
    env = dict(os.environ, PATH=path)
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    env.update(extra_env or {})
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace", timeout=TIMEOUT)
    return p.returncode, p.stdout


def copy_tree(repo, dest):
    """The tracked files of repo, as they are in its working tree."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=repo, check=True,
                           stdout=subprocess.PIPE).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = os.path.join(repo, f.decode())
        if not os.path.isfile(src):
            continue
        dst = os.path.join(dest, f.decode())
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)


def tail(out, n=15):
    """The last n lines of out, indented for a failure report."""
    return "\n".join("    | " + l for l in out.splitlines()[-n:])


def step_plain_make(tree, fakepath):
    """Without the tools, plain make stops with one line naming them and builds nothing."""
    rc, out = run(["make"], tree, fakepath)
    lines = [l for l in out.splitlines() if l.strip()]
    ok = (rc != 0 and len(lines) == 1 and "missing:" in lines[0] and "make deps" in lines[0]
          and "i686-linux-gnu-gcc" in lines[0] and "nasm" in lines[0])
    check("plain make without the tools stops with one line naming them", ok,
          "status %d, output:\n%s" % (rc, tail(out)))
    check("compiler errors: none shown", "error:" not in out and "fatal" not in out, tail(out))
    built = os.path.isdir(os.path.join(tree, "build")) and os.listdir(os.path.join(tree, "build"))
    check("plain make without the tools builds nothing", not built,
          "build/ holds: %s" % built)


def step_first_install(tree, fakepath, log):
    """make test on the bare machine runs deps (the apt-get stand-in installs), then builds and passes a case."""
    rc, out = run(["make", "test", "TESTS=boot_banner"], tree, fakepath)
    installed = os.path.exists(log) and " install " in " " + open(log).read()
    check("make test on the bare machine runs deps (apt-get install)", installed,
          "apt-get log: %s" % (open(log).read() if os.path.exists(log) else "none"))
    ok = rc == 0 and "1 passed, 0 failed" in out
    check("... and then builds and passes in the same command", ok,
          "status %d, output:\n%s" % (rc, tail(out, 30)))


def fake_failing(fakebin, name, writes=None):
    """A stand-in for tool name that fails, after writing part of its output
    file when writes says where that is: "LAST" (the last argument) or an
    option whose next argument names it ("-o"). Returns its path."""
    path = os.path.join(fakebin, name)
    find_out = ""
    if writes == "LAST":
        find_out = 'out="${@: -1}"'
    elif writes:
        find_out = 'prev=""; for a in "$@"; do [ "$prev" = "%s" ] && out="$a"; prev="$a"; done' % writes
    script(path, """#!/bin/bash
out=""
%s
[ -n "$out" ] && echo "partial output of a failed %s" > "$out"
echo "%s: deliberate failure (tests/firstrun.py)" >&2
exit 1
""" % (find_out, name, name))
    return path


GENERATED = ["build/asmdefs.inc", "build/sysdefs.inc", "build/ksyms.asm", "build/kernel.elf",
             "build/fs.img", "build/dmsm.iso", "build/swap.img"]


def step_poisoned_outputs(tree, path):
    """A generator that fails leaves no output behind for a later make to take as built."""
    fakebin = os.path.join(tree, "..", "failbin")
    os.makedirs(fakebin, exist_ok=True)
    run(["make", "clean"], tree, path)
    # (title, variable overrides, tools to replace on PATH, what to build
    # first with the real tools, target)
    cases = [
        ("asmdefs.inc (the compiler fails)", {"CC": fake_failing(fakebin, "cc-fail")},
         [], None, "build/asmdefs.inc"),
        ("sysdefs.inc (copied from asmdefs.inc)", {"CC": os.path.join(fakebin, "cc-fail")},
         [], None, "build/sysdefs.inc"),
        ("ksyms.asm (nm fails)", {"NM": fake_failing(fakebin, "nm-fail")},
         [], "build/kernel.pass1.elf", "build/ksyms.asm"),
        ("kernel.elf (the linker fails)", {"LD": fake_failing(fakebin, "ld-fail", "-o")},
         [], "build/ksyms.o", "build/kernel.elf"),
        ("fs.img (mkfs.py fails)",
         {"PYTHON": fake_failing(fakebin, "python-fail", "tools/mkfs.py")},
         [], "build/libsys.a", "build/fs.img"),
        ("dmsm.iso (grub-mkrescue fails)", {}, [("grub-mkrescue", "-o")],
         "build/fs.img build/kernel.elf", "build/dmsm.iso"),
        ("swap.img (truncate fails)", {}, [("truncate", "LAST")], None, "build/swap.img"),
    ]
    for title, overrides, tools, first, target in cases:
        if first:
            rc, out = run(["make"] + first.split(), tree, path)
            if rc != 0:
                check("building %s with the real tools" % first, False, tail(out))
                continue
        bindir = os.path.join(tree, "..", "failbin-" + os.path.basename(target))
        os.makedirs(bindir, exist_ok=True)
        for t, writes in tools:
            fake_failing(bindir, t, writes)
        args = ["make", target] + ["%s=%s" % kv for kv in overrides.items()]
        rc, out = run(args, tree, bindir + os.pathsep + path)
        full = os.path.join(tree, target)
        check("%s leaves no %s" % (title, target), rc != 0 and not os.path.exists(full),
              "status %d, %s %s:\n%s" % (rc, target,
                                         "exists" if os.path.exists(full) else "absent",
                                         tail(out)))
    rc, out = run(["make"], tree, path)
    missing = [g for g in GENERATED if not os.path.exists(os.path.join(tree, g))]
    with open(os.path.join(tree, "build/asmdefs.inc")) as f:
        good_defs = "%define KERNBASE" in f.read()
    check("then a plain make with the tools rebuilds everything, no make clean",
          rc == 0 and not missing and good_defs,
          "status %d, missing %s, output:\n%s" % (rc, missing, tail(out)))


def main():
    """Run the steps in a copy of the repository; exit 1 if a check failed."""
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    root = tempfile.mkdtemp(prefix="dmsm-firstrun-")
    try:
        tree = os.path.join(root, "src")
        copy_tree(repo, tree)
        fakebin, log = make_fake_path(root)
        print("firstrun: a copy of %s in %s, with a PATH lacking the toolchain" % (repo, tree),
              flush=True)
        step_plain_make(tree, fakebin)
        step_first_install(tree, fakebin, log)
        step_poisoned_outputs(tree, os.environ["PATH"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    passed = sum(results)
    print("firstrun: %d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
