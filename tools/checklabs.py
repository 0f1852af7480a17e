#!/usr/bin/env python3
"""make check-labs: proof that the labs and their graders are right.

For every lab n (or the labs named on the command line):
  1. the full tree scores y/y (make grade LAB=n here);
  2. the handout (tools/mklab.py handout) builds with -Werror and its own
     `make grade LAB=n` scores x < y;
  3. mutation testing of the grader: for every block of lab n, the full tree
     with that block alone cut (tools/mklab.py cut) builds, and its grade
     fails at least one named test (the run stops at the first failure).
Emulators run one at a time. The last line is "check-labs: OK" or names
what failed; the exit status is 1 if anything did."""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mklab  # noqa: E402

MAKE_BUILD = ["make", "-s", "-j2", "all", "build/method-a/kernel.elf"]


def build(tree, log):
    with open(log, "w") as f:
        r = subprocess.run(MAKE_BUILD, cwd=tree, stdout=f, stderr=subprocess.STDOUT)
    return r.returncode == 0


def grade(tree, lab, args, log, first_fail=False):
    """(exit status, 'x/y', the first failing test or None)."""
    cmd = [sys.executable, "tests/grade.py", "--lab", str(lab), "--build", "build", "--mem", args.mem,
           "--timeout", args.timeout, "--ref-boot", args.ref_boot]
    if first_fail:
        cmd.append("--first-fail")
    r = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, errors="replace")
    with open(log, "w") as f:
        f.write(r.stdout + r.stderr)
    score = re.findall(r"^Score: (\d+/\d+)", r.stdout, re.M)
    failed = re.findall(r"^FIRST FAIL: (\S+)", r.stdout, re.M)
    fails = re.findall(r"^  (\S+) \(\w+\)\s+FAIL", r.stdout, re.M)
    return r.returncode, score[-1] if score else "?", (failed or fails or [None])[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mem", default="128")
    ap.add_argument("--timeout", default="30")
    ap.add_argument("--ref-boot", default="0.6")
    ap.add_argument("labs", nargs="*", type=int)
    args = ap.parse_args()
    labs = args.labs or list(range(1, mklab.NLABS + 1))
    logdir = os.path.join(ROOT, "build", "check-labs")
    os.makedirs(logdir, exist_ok=True)
    cut_tree = os.path.join(logdir, "tree")
    problems = []
    start = time.time()
    all_blocks = mklab.blocks(ROOT)
    for lab in labs:
        t0 = time.time()
        mine = [b for b in all_blocks if b["lab"] == lab]
        if len(mine) < 2:
            problems.append("lab %d has %d blocks (at least 2 wanted)" % (lab, len(mine)))
        st, full, _ = grade(ROOT, lab, args, os.path.join(logdir, "lab%d-full.log" % lab))
        t_full = time.time() - t0
        got, total = (full.split("/") + ["?"])[:2]
        ok_full = st == 0 and got == total
        print("lab %d: the full tree scores %s (%.0fs)%s" % (lab, full, t_full, "" if ok_full else "  <-- WRONG"),
              flush=True)
        if not ok_full:
            problems.append("lab %d: the full tree scores %s (see %s/lab%d-full.log)" % (lab, full, logdir, lab))

        hdir = os.path.join(ROOT, "build", "handout", "lab%d" % lab)
        mklab.handout(ROOT, lab, hdir)
        if not build(hdir, os.path.join(logdir, "lab%d-handout-build.log" % lab)):
            problems.append("lab %d: the handout does not build (%s/lab%d-handout-build.log)" % (lab, logdir, lab))
            hscore = "no build"
        else:
            st, hscore, _ = grade(hdir, lab, args, os.path.join(logdir, "lab%d-handout.log" % lab))
            hg = hscore.split("/")
            if st == 0 or len(hg) != 2 or hg[1] != total or int(hg[0]) >= int(hg[1]):
                problems.append("lab %d: the handout scores %s (must be less than %s)" % (lab, hscore, total))
        print("lab %d: the handout builds and scores %s" % (lab, hscore), flush=True)

        for b in mine:
            mklab.cut(ROOT, b["id"], cut_tree)
            blog = os.path.join(logdir, "block-%s.log" % b["id"])
            if not build(cut_tree, blog):
                problems.append("block %s (%s:%d) cut: the tree does not build (%s)" % (b["id"], b["file"], b["line"], blog))
                print("  block %-4s %-55s DOES NOT BUILD" % (b["id"], b["name"][:55]), flush=True)
                continue
            st, score, failed = grade(cut_tree, lab, args, blog, first_fail=True)
            caught = st != 0 and failed
            print("  block %-4s %-55s %s" % (b["id"], b["name"][:55],
                                            "caught by %s" % failed if caught else "NOT CAUGHT (%s)" % score),
                  flush=True)
            if not caught:
                problems.append("block %s (%s:%d, %s): cutting it fails no test of lab %d"
                                % (b["id"], b["file"], b["line"], b["name"], lab))
        print("lab %d: %d blocks, %.0fs" % (lab, len(mine), time.time() - t0), flush=True)
    print("check-labs: %.0fs in all" % (time.time() - start))
    for p in problems:
        print("PROBLEM: " + p)
    print("check-labs: OK" if not problems else "check-labs: %d problems" % len(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
