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
The last line is "Score: x/y"; the exit status is 1 if points were lost.
answers-labN.txt is checked only for being filled in: it is graded by hand."""
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


def main():
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
    args = ap.parse_args()

    info, tests = load(args.lab, args.cases)
    names = [t for t, _ in tests]
    only = [t for t in args.test.replace(",", " ").split() if t]
    unknown = [t for t in only if t not in names]
    if unknown:
        sys.exit("grade.py: lab %d has no test %s (it has: %s)" % (args.lab, ", ".join(unknown), " ".join(names)))
    outdir = os.path.join(args.build, "grade", "lab%d" % args.lab)
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".out"):
            os.remove(os.path.join(outdir, f))

    print("== Lab %d: %s ==" % (args.lab, info.get("title", "")))
    boot_secs = measure_boot(args.build, args.mem, args.ref_boot)
    scale = max(1.0, boot_secs / args.ref_boot)
    print("a boot takes %.2fs here (reference %.2fs): timeouts x%.1f (GRADE_TIMEOUT=%g s)"
          % (boot_secs, args.ref_boot, scale, args.timeout))

    byname = dict(tests)
    runs = {}  # name -> (out, status, secs, seed failing or None)
    results, part_pts, score, total = [], {}, 0, 0
    start = time.time()
    selected = [(n, c) for n, c in tests if not only or n in only or
                any(byname.get(o, {}).get("parent") == n for o in only)]

    def boot_case(name, case):
        if name in runs:
            return runs[name]
        mem = int(case.get("mem", args.mem))
        timeout = float(case.get("timeout", args.timeout)) * scale * run.KIND_FACTOR.get(case.get("kind"), 1)
        seeds = case.get("seeds", "").split()
        if args.seed and seeds:
            seeds = [args.seed]
        if not seeds:
            out, status, secs = run.boot(case, args.build, mem, timeout)
            runs[name] = (out, status, secs, None)
            return runs[name]
        secs_all = 0.0
        for s in seeds:
            c = dict(case, cmdline="tickseed=%s %s" % (s, case.get("cmdline", "")))
            out, status, secs = run.boot(c, args.build, mem, timeout)
            secs_all += secs
            if not check(c, out, status)[0]:
                runs[name] = (out, status, secs_all, s)
                return runs[name]
        runs[name] = (out, status, secs_all, "")
        return runs[name]

    for name, case in selected:
        pts = int(case.get("points", "0"))
        part = case.get("part", "")
        if part not in part_pts:
            part_pts[part] = [0, 0]
        parent = case.get("parent")
        kind = {"bochs": "Bochs", "gdb": "GDB"}.get(case.get("kind") or (byname[parent].get("kind") if parent else None), "QEMU")
        label = "%s (%s)" % (name, kind)
        if pts or parent:
            print("  %-34s " % label, end="", flush=True)  # named before it runs
        if parent:
            pcase = byname[parent]
            fresh = parent not in runs
            out, status, secs, seed = boot_case(parent, pcase)
            judged = dict(pcase, expect=case.get("expect", ""), reject=case.get("reject", ""),
                          regex=case.get("regex", ""))
            secs_shown = secs if fresh else 0.0  # the shared boot counts once
        else:
            out, status, secs, seed = boot_case(name, case)
            judged, secs_shown = case, secs
        ok, lines = check(judged, out, status)
        if pts == 0 and not parent:
            print("  %-34s %-4s  %5.1fs  (0 points: the run the tests below read)"
                  % (label, "ran" if ok else "FAIL", secs_shown), flush=True)
            continue
        total += pts
        part_pts[part][1] += pts
        got = pts if ok else 0
        score += got
        part_pts[part][0] += got
        verdict = "OK" if ok else "FAIL"
        print("%-4s  %5.1fs  %2d/%d" % (verdict, secs_shown, got, pts), flush=True)
        text = ""
        if not ok:
            if seed:
                lines.insert(0, "BAD      fails with tickseed=%s; replay it: make grade LAB=%d T=%s SEED=%s"
                             % (seed, args.lab, name, seed))
            tail = [l for l in out.splitlines() if l.strip()][-6:]
            lines.append("the output ends with:")
            lines.extend("    | " + l for l in tail)
            log = os.path.join(outdir, name + ".out")
            with open(log, "w") as f:
                f.write(out)
            lines.append("whole output: %s" % log)
            if case.get("hint"):
                lines.append("hint: %s" % case["hint"])
            for l in lines:
                print("      " + l)
            text = "\n".join(lines)
        results.append({"name": "lab%d %s" % (args.lab, name), "score": got, "max_score": pts,
                        "status": "passed" if ok else "failed", "output": text,
                        "visibility": "visible"})
        if not ok and args.first_fail:
            print("FIRST FAIL: %s" % name)
            break
    if not args.first_fail or score == total:
        for part, (g, t) in part_pts.items():
            if t:
                print("  subtotal %-40s %d/%d" % (part or "(no part)", g, t))
        line = answers(args.lab, os.getcwd())
        print(line)
        results.append({"name": "lab%d answers (graded by hand)" % args.lab, "score": 0, "max_score": 0,
                        "output": line, "visibility": "visible"})
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"score": score, "execution_time": round(time.time() - start, 1),
                   "output": "Lab %d: %s" % (args.lab, info.get("title", "")),
                   "stdout_visibility": "visible", "tests": results}, f, indent=1)
    print("Score: %d/%d" % (score, total))
    sys.exit(0 if score == total else 1)


if __name__ == "__main__":
    main()
