#!/usr/bin/env python3
"""The lab grader (make grade LAB=n [T=name] [SEED=s]).

Tests live in tests/labs.ini: a section [labN] with the lab's title, and a
section [labN.NAME] per test with the keys of tests/run.py's cases (kind,
cmdline, expect, reject, status, bochs, gdb, mem, qemu, kernel, timeout) and:
  points  = what the test is worth (0: a parent boot that others read)
  part    = the part of the lab it belongs to (subtotals are per part)
  case    = a case of tests/cases.ini this test is (its keys first, then this
            section's), so that a lab test and `make test` never drift apart
  parent  = NAME of a test whose run this test reads instead of booting
  regex   = Python regular expressions that must match the output, one a line
  seeds   = boot once per seed with tickseed=SEED first on the command line;
            the test fails with the first seed that fails (SEED=s replays one)
  hint    = where in the handout to look when it fails

Every run boots from clean disks (run.py's boot), with a timeout of
  (the test's timeout, else GRADE_TIMEOUT) x (measured boot / GRADE_REF_BOOT,
  at least 1) x (10 for Bochs, 3 for GDB)
where the measured boot is one `test=banner` boot on this machine at the
start. A run fails on a panic, a triple fault, a timeout, a wrong status, or
missing output. Failing output goes to build/grade/labN/NAME.out; the results
also go to build/grade/labN/results.json in Gradescope's autograder format.
Besides Gradescope's keys, results.json has "dmsm": {"lab", "score",
"max_score", "first_failed" (the first test that failed, or null),
"complete" (false when --first-fail stopped the run)}: make check-labs
reads it. The last line is "Score: x/y"; the exit status is 1 if points
were lost.
answers-labN.txt is checked only for being filled in: it is graded by hand.

usage: grade.py --lab N [--test NAME,...] [--seed S] [--build DIR] [--mem MIB]
                [--timeout S] [--ref-boot S] [--cases FILE] [--first-fail]"""
import argparse
import configparser
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the test harness: boot() and judge())

ROOT = run.ROOT
BANNER = "DMSM teaching OS (i386): booting"


def load(lab, path):
    """(the lab's section, [(test name, case)] in file order) from labs.ini
    at path, each case merged over the tests/cases.ini case it names."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.optionxform = str
    cfg.read(path)
    head = "lab%d" % lab
    if not cfg.has_section(head):
        sys.exit("grade.py: no lab %d in %s" % (lab, path))
    cases = configparser.ConfigParser(interpolation=None)
    cases.optionxform = str
    cases.read(os.path.join(os.path.dirname(path), "cases.ini"))
    tests = []
    for s in cfg.sections():
        if not s.startswith(head + "."):
            continue
        t = dict(cfg[s])
        if "case" in t:
            if not cases.has_section(t["case"]):
                sys.exit("grade.py: [%s] names case %s, which tests/cases.ini does not have" % (s, t["case"]))
            t = dict(cases[t.pop("case")], **t)
        tests.append((s[len(head) + 1:], t))
    return dict(cfg[head]), tests


def measure_boot(build, mem, ref):
    """Seconds one test=banner boot takes here; the reference figure if that
    boot fails (a tree broken early in boot fails every test anyway)."""
    if not os.path.exists(os.path.join(build, "kernel.elf")):
        sys.exit("grade.py: %s/kernel.elf does not exist: build the tree first (make)" % build)
    out, status, secs = run.boot({"cmdline": "test=banner"}, build, mem, 120)
    if status != 0:
        print("the measuring boot (test=banner) failed (%s): timeouts stay unscaled" % (status or "timeout"))
        return ref
    return secs


def check(case, out, status):
    """(passed, report lines): run.judge's verdict, plus GOOD/BAD/MISSING
    lines for each expected line, each regex and each rejected line."""
    why = run.judge(case, out, status)
    if why is None and out.count(BANNER) > 1:
        why = "the machine booted twice (a triple fault resets it)"
    lines = []
    if why:
        lines.append("BAD      %s" % why)
        for l in out.splitlines():
            if "PANIC" in l or "killed" in l:
                lines.append("BAD      got: %r" % l.strip())
                break
    pos = 0
    for want in case.get("expect", "").strip().splitlines():
        want = want.strip()
        i = out.find(want, pos)
        if i < 0:
            lines.append("MISSING  %r" % want)
        else:
            lines.append("GOOD     %r" % want)
            pos = i + len(want)
    ok = why is None
    for rx in case.get("regex", "").strip().splitlines():
        if not rx.strip():
            continue
        m = re.search(rx.strip(), out, re.M)
        if m:
            lines.append("GOOD     /%s/ (%r)" % (rx.strip(), m.group(0)))
        else:
            lines.append("MISSING  /%s/" % rx.strip())
            ok = False
    for bad in case.get("reject", "").strip().splitlines():
        if bad.strip() and bad.strip() in out:
            lines.append("BAD      %r" % bad.strip())
    return ok, lines


def answers(lab, root):
    """A line on answers-labN.txt: how many questions have an answer."""
    path = os.path.join(root, "answers-lab%d.txt" % lab)
    name = os.path.basename(path)
    if not os.path.exists(path):
        return "%s: not found (graded by hand, not part of this score)" % name
    with open(path) as f:
        text = f.read()
    parts = re.split(r"^Answer:[ \t]*", text, flags=re.M)[1:]
    filled = sum(1 for p in parts if re.split(r"^(Question|Challenge)\b", p, flags=re.M)[0].strip())
    return ("%s: %d of %d answers filled in (graded by hand by the course staff, not part of "
            "this score)" % (name, filled, len(parts)))


def parse_args():
    """The command line (make grade passes every option)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lab", type=int, required=True)
    ap.add_argument("--test", default="", help="only these tests (comma-separated)")
    ap.add_argument("--seed", default="", help="only this tickseed for seeded tests")
    ap.add_argument("--build", default="build")
    ap.add_argument("--mem", default="128")
    ap.add_argument("--timeout", type=float, default=30, help="GRADE_TIMEOUT")
    ap.add_argument("--ref-boot", type=float, default=0.6, help="GRADE_REF_BOOT (seconds)")
    ap.add_argument("--cases", default=os.path.join(ROOT, "tests", "labs.ini"))
    ap.add_argument("--first-fail", action="store_true",
                    help="stop at the first failing test (make check-labs)")
    return ap.parse_args()


# ---- select: which tests ----

def select(lab, tests, wanted):
    """The tests to run, in file order: all of them when wanted (the --test
    text, names separated by commas or blanks) names none, else the named
    ones and the parents whose runs they read. Exits naming an unknown test."""
    names = [name for name, _ in tests]
    only = [name for name in wanted.replace(",", " ").split() if name]
    unknown = [name for name in only if name not in names]
    if unknown:
        sys.exit("grade.py: lab %d has no test %s (it has: %s)" % (lab, ", ".join(unknown), " ".join(names)))
    if not only:
        return list(tests)
    parents = {case.get("parent") for name, case in tests if name in only}
    return [(name, case) for name, case in tests if name in only or name in parents]


# ---- run: boot the tests, the seeds, the parents ----

class Booted:
    """One test's boot (or seeded boots): its output and exit status, the
    seconds it took (all seeds together), and seed: None for an unseeded
    test, "" when every seed passed, else the seed that failed."""

    def __init__(self, out, status, secs, seed=None):
        self.out, self.status, self.secs, self.seed = out, status, secs, seed


class Runner:
    """Boots tests from clean disks (run.boot), each at most once: a parent's
    run is booted for the first test that reads it and shared after that."""

    def __init__(self, args, scale, byname):
        self.args, self.scale, self.byname = args, scale, byname
        self.runs = {}  # test name -> Booted

    def boot(self, name, case):
        """Test name's boot (booted now unless it already was): once per
        seed with tickseed=SEED first on the command line, stopping at the
        first seed that fails (SEED=s: that seed alone), else once."""
        if name in self.runs:
            return self.runs[name]
        mem = int(case.get("mem", self.args.mem))
        timeout = (float(case.get("timeout", self.args.timeout)) * self.scale
                   * run.KIND_FACTOR.get(case.get("kind"), 1))
        seeds = case.get("seeds", "").split()
        if self.args.seed and seeds:
            seeds = [self.args.seed]
        if not seeds:
            self.runs[name] = Booted(*run.boot(case, self.args.build, mem, timeout))
            return self.runs[name]
        secs_all = 0.0
        for seed in seeds:
            seeded = dict(case, cmdline="tickseed=%s %s" % (seed, case.get("cmdline", "")))
            out, status, secs = run.boot(seeded, self.args.build, mem, timeout)
            secs_all += secs
            if not check(seeded, out, status)[0]:
                self.runs[name] = Booted(out, status, secs_all, seed)
                return self.runs[name]
        self.runs[name] = Booted(out, status, secs_all, "")
        return self.runs[name]

    def test(self, name, case):
        """(Booted, the case to judge it by, seconds to show): a test with a
        parent is its parent's run judged by its own expect, reject and regex
        lines; the shared boot's seconds are shown once, at its first reader."""
        parent = case.get("parent")
        if not parent:
            r = self.boot(name, case)
            return r, case, r.secs
        pcase = self.byname[parent]
        fresh = parent not in self.runs
        r = self.boot(parent, pcase)
        judged = dict(pcase, expect=case.get("expect", ""), reject=case.get("reject", ""),
                      regex=case.get("regex", ""))
        return r, judged, r.secs if fresh else 0.0

    def emulator(self, case):
        """The emulator's name as the report shows it: the test's kind, or its parent's."""
        parent = case.get("parent")
        kind = case.get("kind") or (self.byname[parent].get("kind") if parent else None)
        return {"bochs": "Bochs", "gdb": "GDB"}.get(kind, "QEMU")


# ---- report: verdicts, subtotals, results.json, the Score line ----

class Report:
    """What the grader prints and writes to results.json, test by test."""

    def __init__(self, lab, title, outdir):
        self.lab, self.title, self.outdir = lab, title, outdir
        self.results = []    # Gradescope's "tests" entries
        self.parts = {}      # part -> [points got, points possible], in order of first use
        self.score = self.total = 0
        self.first_failed = None
        self.start = time.time()

    def failure_lines(self, name, case, booted, lines):
        """The lines that explain a failed test: the seed that failed, the
        verdict lines, the output's tail (the whole output goes to NAME.out)
        and the test's hint."""
        lines = list(lines)
        if booted.seed:
            lines.insert(0, "BAD      fails with tickseed=%s; replay it: make grade LAB=%d T=%s SEED=%s"
                         % (booted.seed, self.lab, name, booted.seed))
        tail = [l for l in booted.out.splitlines() if l.strip()][-6:]
        lines.append("the output ends with:")
        lines.extend("    | " + l for l in tail)
        log = os.path.join(self.outdir, name + ".out")
        with open(log, "w") as f:
            f.write(booted.out)
        lines.append("whole output: %s" % log)
        if case.get("hint"):
            lines.append("hint: %s" % case["hint"])
        return lines

    def add(self, name, case, ok, lines, booted, secs_shown):
        """Count a test worth points (or reading a parent): print its verdict,
        and when it failed, why."""
        pts = int(case.get("points", "0"))
        got = pts if ok else 0
        part = self.parts[case.get("part", "")]
        part[0] += got
        part[1] += pts
        self.score += got
        self.total += pts
        print("%-4s  %5.1fs  %2d/%d" % ("OK" if ok else "FAIL", secs_shown, got, pts), flush=True)
        text = ""
        if not ok:
            lines = self.failure_lines(name, case, booted, lines)
            for l in lines:
                print("      " + l)
            text = "\n".join(lines)
            if self.first_failed is None:
                self.first_failed = name
        self.results.append({"name": "lab%d %s" % (self.lab, name), "score": got, "max_score": pts,
                             "status": "passed" if ok else "failed", "output": text,
                             "visibility": "visible"})

    def summary(self):
        """The part subtotals and the answers file's line (after a whole run)."""
        for part, (got, possible) in self.parts.items():
            if possible:
                print("  subtotal %-40s %d/%d" % (part or "(no part)", got, possible))
        line = answers(self.lab, os.getcwd())
        print(line)
        self.results.append({"name": "lab%d answers (graded by hand)" % self.lab, "score": 0,
                             "max_score": 0, "output": line, "visibility": "visible"})

    def finish(self, complete):
        """Write results.json and print the Score line; the exit status.
        complete: every selected test ran (not stopped at a first failure)."""
        with open(os.path.join(self.outdir, "results.json"), "w") as f:
            json.dump({"score": self.score, "execution_time": round(time.time() - self.start, 1),
                       "output": "Lab %d: %s" % (self.lab, self.title),
                       "stdout_visibility": "visible", "tests": self.results,
                       "dmsm": {"lab": self.lab, "score": self.score, "max_score": self.total,
                                "first_failed": self.first_failed, "complete": complete}},
                      f, indent=1)
        print("Score: %d/%d" % (self.score, self.total))
        return 0 if self.score == self.total else 1


def clean_outdir(build, lab):
    """build/grade/labN, made, without the last run's .out files and results."""
    outdir = os.path.join(build, "grade", "lab%d" % lab)
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".out") or f == "results.json":
            os.remove(os.path.join(outdir, f))
    return outdir


def grade(args, runner, report, selected):
    """Run the selected tests in order and report each; False when the run
    stopped at the first failure (--first-fail), True when all ran."""
    for name, case in selected:
        pts = int(case.get("points", "0"))
        parent = case.get("parent")
        report.parts.setdefault(case.get("part", ""), [0, 0])
        label = "%s (%s)" % (name, runner.emulator(case))
        if pts or parent:
            print("  %-34s " % label, end="", flush=True)  # named before it runs
        booted, judged, secs_shown = runner.test(name, case)
        ok, lines = check(judged, booted.out, booted.status)
        if pts == 0 and not parent:
            print("  %-34s %-4s  %5.1fs  (0 points: the run the tests below read)"
                  % (label, "ran" if ok else "FAIL", secs_shown), flush=True)
            continue
        report.add(name, case, ok, lines, booted, secs_shown)
        if not ok and args.first_fail:
            print("FIRST FAIL: %s" % name)
            return False
    return True


def main():
    """Grade one lab: select the tests, run them, report; exit 1 if points were lost."""
    args = parse_args()
    info, tests = load(args.lab, args.cases)
    selected = select(args.lab, tests, args.test)
    outdir = clean_outdir(args.build, args.lab)
    title = info.get("title", "")
    print("== Lab %d: %s ==" % (args.lab, title))
    boot_secs = measure_boot(args.build, args.mem, args.ref_boot)
    scale = max(1.0, boot_secs / args.ref_boot)
    print("a boot takes %.2fs here (reference %.2fs): timeouts x%.1f (GRADE_TIMEOUT=%g s)"
          % (boot_secs, args.ref_boot, scale, args.timeout))
    report = Report(args.lab, title, outdir)
    complete = grade(args, Runner(args, scale, dict(tests)), report, selected)
    if complete or report.score == report.total:
        report.summary()
    sys.exit(report.finish(complete))


if __name__ == "__main__":
    main()
