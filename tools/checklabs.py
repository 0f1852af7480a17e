#!/usr/bin/env python3
"""make check-labs: proof that the labs and their graders are right.

For every lab n (or the labs named on the command line):
  1. the full tree scores y/y (make grade LAB=n here);
  2. the handout (tools/mklab.py handout) builds with -Werror and its own
     `make grade LAB=n` scores x < y, and every command of the lab's
     handout text runs in it (tools/checkhandouts.py);
  3. every block is needed: the full tree with that block alone cut
     (tools/mklab.py cut) builds, and its grade fails a named test (the run
     stops at the first failure);
  4. mutation testing of the grader with plausible mistakes: every mutant
     of lab n (tools/mutants.py: tools/labs/mutants/labN/*.patch, at least
     three per block, each changing only its block) applied to the full
     tree builds and fails a named test; a mutant marked Equivalent must
     instead score full marks (else it is not equivalent); one marked
     Known-gap that no test catches is reported, not a failure (the
     grader's known weakness, listed in the table until a test catches it).
Each grade is read from the results.json that tests/grade.py writes in the
tree it graded (build/grade/labN/results.json: its score and "dmsm" key).
Steps 3 and 4 run on two scratch trees at once (build/check-labs/tree-1,
tree-2: one emulator each; JOBS=1 for one), the first two one at a time.
The last lines are a table per lab (blocks, mutants, caught, equivalent,
known gaps),
then "check-labs: OK" or what failed; the exit status is 1 if anything did.

usage: checklabs.py [--mem MIB] [--timeout S] [--ref-boot S] [--jobs N] [LAB ...]"""
import argparse
import concurrent.futures
import json
import os
import queue
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import checkhandouts  # noqa: E402
import mklab  # noqa: E402
import mutants  # noqa: E402

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
    if hscore != "no build":
        problems.extend(checkhandouts.check(lab, hdir, logdir))


def check_block(block, lab, args, logdir, tree):
    """Step 3 for one block, in the scratch tree: the tree with the block cut
    builds and fails a named test. Returns (report line, problem or None)."""
    mklab.cut(ROOT, block["id"], tree)
    blog = os.path.join(logdir, "block-%s.log" % block["id"])
    where = "%s:%d" % (block["file"], block["line"])
    label = "  block %-6s %-50s" % (block["id"], block["name"][:50])
    if not build(tree, blog):
        return label + " DOES NOT BUILD", "block %s (%s) cut: the tree does not build (%s)" % (
            block["id"], where, blog)
    graded = grade(tree, lab, args, blog, first_fail=True)
    if graded.status != 0 and graded.first_failed:
        return label + " caught by %s" % graded.first_failed, None
    return label + " NOT CAUGHT (%s)" % graded.score, "block %s (%s, %s): cutting it fails no test of lab %d" % (
        block["id"], where, block["name"], lab)


def check_mutant(mutant, lab, args, logdir, tree):
    """Step 4 for one mutant, in the scratch tree: the full tree with the
    mutant applied builds and fails a named test (an Equivalent one must
    score full marks). Returns (report line, verdict, problem or None);
    verdict is "caught", "equivalent", "gap" (a Known-gap mutant not
    caught: reported, not a failure) or "missed"."""
    mklab.export(ROOT, tree, lambda b: "keep")  # the full tree; unchanged files keep their times
    log = os.path.join(logdir, "mutant-%s-%s.log" % (lab, mutant.name))
    label = "  mutant %-30s" % mutant.name
    why = mutants.apply(mutant, tree) or mutants.scope_problem(mutant, ROOT, tree)
    if not why and not build(tree, log):
        why = "does not build (%s): a mistake the compiler catches is not a grader's test" % log
    if why:
        return label + " BROKEN: %s" % why, "missed", "mutant %s: %s" % (mutant.id(), why)
    graded = grade(tree, lab, args, log, first_fail=not mutant.equivalent)
    if mutant.equivalent:
        if graded.full_marks():
            return label + " equivalent (%s)" % mutant.equivalent, "equivalent", None
        return label + " MARKED EQUIVALENT, but fails %s" % graded.first_failed, "missed", (
            "mutant %s is marked equivalent but fails %s: it is not (%s)" % (mutant.id(), graded.first_failed, log))
    if graded.status != 0 and graded.first_failed:
        return label + " caught by %s" % graded.first_failed, "caught", None
    if mutant.known_gap:
        return label + " NOT CAUGHT, a known gap (%s): %s" % (graded.score, mutant.known_gap), "gap", None
    return label + " NOT CAUGHT (%s): %s" % (graded.score, mutant.mistake), "missed", (
        "mutant %s (%s) scores %s: no test of lab %d catches it (%s)" % (
            mutant.id(), mutant.mistake, graded.score, lab, log))


def run_jobs(jobs, logdir, njobs):
    """Run the jobs (functions of a scratch tree) on njobs scratch trees at
    once, each tree used by one job at a time; print each report line as it
    comes. Returns the jobs' results in job order."""
    trees = queue.Queue()
    for i in range(njobs):
        trees.put(os.path.join(logdir, "tree-%d" % (i + 1)))
    lock = threading.Lock()

    def run(job):
        """One job on a free tree."""
        tree = trees.get()
        try:
            result = job(tree)
        finally:
            trees.put(tree)
        with lock:
            print(result[0], flush=True)
        return result
    with concurrent.futures.ThreadPoolExecutor(njobs) as pool:
        return list(pool.map(run, jobs))


def check_lab(lab, args, logdir, problems):
    """Steps 1-4 for one lab. Returns its table row: (lab, blocks, mutants,
    caught, equivalent, known gaps not caught)."""
    t0 = time.time()
    mine = [b for b in mklab.blocks(ROOT) if b["lab"] == lab]
    if len(mine) < 2:
        problems.append("lab %d has %d blocks (at least 2 wanted)" % (lab, len(mine)))
    total = check_full(lab, args, logdir, problems).partition("/")[2] or "?"
    check_handout(lab, args, logdir, total, problems)
    problems.extend(mutants.check(ROOT, [lab]))
    muts = mutants.load(ROOT, [lab])
    jobs = [lambda tree, b=b: check_block(b, lab, args, logdir, tree) for b in mine]
    jobs += [lambda tree, m=m: check_mutant(m, lab, args, logdir, tree) for m in muts]
    results = run_jobs(jobs, logdir, args.jobs)
    problems.extend(r[-1] for r in results if r[-1])
    verdicts = [r[1] for r in results[len(mine):]]
    print("lab %d: %d blocks, %d mutants, %.0fs" % (lab, len(mine), len(muts), time.time() - t0), flush=True)
    return (lab, len(mine), len(muts), verdicts.count("caught"), verdicts.count("equivalent"),
            verdicts.count("gap"))


def print_table(rows):
    """The summary: per lab, blocks, mutants, caught, equivalent, and known
    gaps (Known-gap mutants no test caught)."""
    print("lab | blocks | mutants | caught | equivalent | known gaps")
    for lab, nblocks, nmut, caught, equiv, gaps in rows:
        print("%3d | %6d | %7d | %6d | %10d | %d" % (lab, nblocks, nmut, caught, equiv, gaps))


def main():
    """Prove the labs named (default: all); exit 1 if anything failed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mem", default="128")
    ap.add_argument("--timeout", default="30")
    ap.add_argument("--ref-boot", default="0.6")
    ap.add_argument("--jobs", type=int, default=2, help="scratch trees graded at once (one emulator each)")
    ap.add_argument("labs", nargs="*", type=int)
    args = ap.parse_args()
    args.jobs = max(1, min(args.jobs, 2))  # at most two emulators at once
    labs = args.labs or list(range(1, mklab.NLABS + 1))
    logdir = os.path.join(ROOT, "build", "check-labs")
    os.makedirs(logdir, exist_ok=True)
    problems, rows = [], []
    start = time.time()
    for lab in labs:
        rows.append(check_lab(lab, args, logdir, problems))
    print("check-labs: %.0fs in all" % (time.time() - start))
    print_table(rows)
    for p in problems:
        print("PROBLEM: " + p)
    print("check-labs: OK" if not problems else "check-labs: %d problems" % len(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
