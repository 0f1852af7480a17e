#!/usr/bin/env python3
"""make check-labs: proof that the labs and their graders are right.

For every lab n (or the labs named on the command line):
  1. the full tree scores y/y (make grade LAB=n here);
  2. the handout (tools/mklab.py handout) builds with -Werror and its own
     `make grade LAB=n` scores x < y;
  3. mutation testing of the grader: for every block of lab n, the full tree
     with that block alone cut (tools/mklab.py cut) builds, and its grade
     fails at least one named test (the run stops at the first failure).
Each grade is read from the results.json that tests/grade.py writes in the
tree it graded (build/grade/labN/results.json: its score and "dmsm" key).
Emulators run one at a time. The last line is "check-labs: OK" or names
what failed; the exit status is 1 if anything did.

usage: checklabs.py [--mem MIB] [--timeout S] [--ref-boot S] [LAB ...]"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mklab  # noqa: E402

MAKE_BUILD = ["make", "-s", "-j2", "all", "build/method-a/kernel.elf"]


def build(tree, log):
    """Build tree (make all and the method-a kernel), output to log; True if it built."""
    with open(log, "w") as f:
        r = subprocess.run(MAKE_BUILD, cwd=tree, stdout=f, stderr=subprocess.STDOUT)
    return r.returncode == 0


class Grade:
    """One run of tests/grade.py in a tree: its exit status, its score as
    "x/y" ("?" when it wrote no results), and the first test that failed
    (None if none did, or if it wrote no results)."""

    def __init__(self, status, score, first_failed):
        self.status, self.score, self.first_failed = status, score, first_failed

    def full_marks(self):
        """Exit status 0 and x == y."""
        got, _, total = self.score.partition("/")
        return self.status == 0 and got == total


def grade(tree, lab, args, log, first_fail=False):
    """Grade lab in tree (its output to log) and read its results.json."""
    cmd = [sys.executable, "tests/grade.py", "--lab", str(lab), "--build", "build", "--mem", args.mem,
           "--timeout", args.timeout, "--ref-boot", args.ref_boot]
    if first_fail:
        cmd.append("--first-fail")
    results = os.path.join(tree, "build", "grade", "lab%d" % lab, "results.json")
    if os.path.exists(results):
        os.remove(results)  # never read a result of an earlier run
    r = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, errors="replace")
    with open(log, "w") as f:
        f.write(r.stdout + r.stderr)
    try:
        with open(results) as f:
            mine = json.load(f)["dmsm"]
        return Grade(r.returncode, "%d/%d" % (mine["score"], mine["max_score"]), mine["first_failed"])
    except (OSError, ValueError, KeyError, TypeError):
        return Grade(r.returncode, "?", None)


def check_full(lab, args, logdir, problems):
    """Step 1: the full tree scores y/y. Returns its score "x/y"."""
    t0 = time.time()
    log = os.path.join(logdir, "lab%d-full.log" % lab)
    full = grade(ROOT, lab, args, log)
    ok = full.full_marks()
    print("lab %d: the full tree scores %s (%.0fs)%s" % (lab, full.score, time.time() - t0,
                                                         "" if ok else "  <-- WRONG"), flush=True)
    if not ok:
        problems.append("lab %d: the full tree scores %s (see %s)" % (lab, full.score, log))
    return full.score


def check_handout(lab, args, logdir, total, problems):
    """Step 2: the handout builds and scores x < total."""
    hdir = os.path.join(ROOT, "build", "handout", "lab%d" % lab)
    mklab.handout(ROOT, lab, hdir)
    blog = os.path.join(logdir, "lab%d-handout-build.log" % lab)
    if not build(hdir, blog):
        problems.append("lab %d: the handout does not build (%s)" % (lab, blog))
        hscore = "no build"
    else:
        graded = grade(hdir, lab, args, os.path.join(logdir, "lab%d-handout.log" % lab))
        hscore = graded.score
        got, _, possible = hscore.partition("/")
        if graded.status == 0 or not got.isdigit() or possible != total or int(got) >= int(possible):
            problems.append("lab %d: the handout scores %s (must be less than %s)" % (lab, hscore, total))
    print("lab %d: the handout builds and scores %s" % (lab, hscore), flush=True)


def check_block(block, lab, args, logdir, problems):
    """Step 3 for one block: the tree with it cut builds and fails a named test."""
    cut_tree = os.path.join(logdir, "tree")
    mklab.cut(ROOT, block["id"], cut_tree)
    blog = os.path.join(logdir, "block-%s.log" % block["id"])
    where = "%s:%d" % (block["file"], block["line"])
    if not build(cut_tree, blog):
        problems.append("block %s (%s) cut: the tree does not build (%s)" % (block["id"], where, blog))
        print("  block %-4s %-55s DOES NOT BUILD" % (block["id"], block["name"][:55]), flush=True)
        return
    graded = grade(cut_tree, lab, args, blog, first_fail=True)
    caught = graded.status != 0 and graded.first_failed
    print("  block %-4s %-55s %s" % (block["id"], block["name"][:55], "caught by %s" % graded.first_failed
                                    if caught else "NOT CAUGHT (%s)" % graded.score), flush=True)
    if not caught:
        problems.append("block %s (%s, %s): cutting it fails no test of lab %d"
                        % (block["id"], where, block["name"], lab))


def main():
    """Prove the labs named (default: all); exit 1 if anything failed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mem", default="128")
    ap.add_argument("--timeout", default="30")
    ap.add_argument("--ref-boot", default="0.6")
    ap.add_argument("labs", nargs="*", type=int)
    args = ap.parse_args()
    labs = args.labs or list(range(1, mklab.NLABS + 1))
    logdir = os.path.join(ROOT, "build", "check-labs")
    os.makedirs(logdir, exist_ok=True)
    problems = []
    start = time.time()
    all_blocks = mklab.blocks(ROOT)
    for lab in labs:
        t0 = time.time()
        mine = [b for b in all_blocks if b["lab"] == lab]
        if len(mine) < 2:
            problems.append("lab %d has %d blocks (at least 2 wanted)" % (lab, len(mine)))
        total = check_full(lab, args, logdir, problems).partition("/")[2] or "?"
        check_handout(lab, args, logdir, total, problems)
        for block in mine:
            check_block(block, lab, args, logdir, problems)
        print("lab %d: %d blocks, %.0fs" % (lab, len(mine), time.time() - t0), flush=True)
    print("check-labs: %.0fs in all" % (time.time() - start))
    for p in problems:
        print("PROBLEM: " + p)
    print("check-labs: OK" if not problems else "check-labs: %d problems" % len(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
