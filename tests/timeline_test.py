#!/usr/bin/env python3
"""make check-timeline: the trace's timeline page, tested.

usage: timeline_test.py BUILD_DIR TRACE.txt

1. The parser: a truncated trace and a trace with dropped events must each
   make the page say so; the complete trace must not.
2. The page that make timeline wrote from TRACE.txt, rendered in headless
   Chromium (--dump-dom, after its scripts ran): one lane per process, as
   many "applied" marks and applied-switch arrows as the trace has switches
   applied, a legend, a summary row per process, and the script placed the
   marks (they carry a transform only once it ran). Then a screenshot,
   BUILD_DIR/timeline.png.
The last line is "N passed, M failed"; the exit status is 1 if M > 0."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import timeline  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
results = []


def check(name, ok, why=""):
    """Record and print one check: PASS, or FAIL with why."""
    results.append(ok)
    print("%s  %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else ": " + why), flush=True)


def page_for(lines):
    """The timeline page of trace lines."""
    return timeline.render(timeline.parse(lines), "test")


def parser_tests(trace_lines):
    """Damaged, truncated and dropped variants of the trace: the page must say so."""
    events = [l for l in trace_lines if l.startswith("~T ")]
    begin = [l for l in trace_lines if l.startswith("~TRACE begin")][:1]
    end = [l for l in trace_lines if l.startswith("~TRACE end")][-1:]
    full = page_for(trace_lines)
    check("complete trace: no warning", 'class="warn' not in full and "Complete trace" in full,
          "the page warns about a complete trace")
    # cut short: the run died in the middle of the readout (no end line)
    cut = begin + events[: len(events) // 2]
    page = page_for(cut)
    check("truncated trace: the page says so",
          'class="warn truncated"' in page and "without its end line" in page and
          'data-truncated="1"' in page, "no truncation warning")
    # a line torn in the middle is reported, not silently taken
    for cut_at in (len(events[10]) // 2, len(events[10]) - 6):
        torn = begin + events[:10] + [events[10][:cut_at]] + events[11:20] + end
        page = page_for(torn)
        check("line torn at %d: the page says so" % cut_at, 'class="warn truncated"' in page,
              "no warning")
    bad = events[10].replace("nr=", "nx=") if "nr=" in events[10] else events[10][:-1] + "0"
    page = page_for(begin + events[:10] + [bad] + events[11:20] + end)
    check("damaged line: the page says so", "bad check sum" in page, "no warning")
    # dropped: the kernel counted 7 drops, and 7 sequence numbers are missing
    synth = ["~TRACE begin mask=0xfffe capacity=8 events=8 first=0"]
    seq = 0
    for i in range(8):
        line = "~T %d %d 1 sys recv=int80 nr=getpid ring=3" % (seq, 1000 + 10 * i)
        synth.append("%s *%02x" % (line, timeline.checksum(line)))
        seq += 1 if i != 3 else 8
    synth.append("~TRACE end events=8 next=%d dropped=7" % seq)
    page = page_for(synth)
    check("dropped events: the page says how many",
          'class="warn dropped"' in page and "dropped 7 events" in page and
          'data-dropped="7"' in page and 'class="warn truncated"' not in page,
          "no (or a wrong) drop warning")
    # gaps no drop accounts for: events lost without the kernel knowing
    synth[-1] = synth[-1].replace("dropped=7", "dropped=0")
    page = page_for(synth)
    check("missing events: the page says so", 'class="warn truncated"' in page and
          "no drop accounts for" in page, "no warning")


def chromium(args, workdir):
    """Run headless Chromium with args (a profile in workdir)."""
    cmd = ["chromium"] + CHROMIUM_FLAGS + ["--user-data-dir=" + os.path.join(workdir, "profile")]
    return subprocess.run(cmd + args, capture_output=True, text=True, timeout=120)


def browser_tests(build, trace_lines):
    """make timeline's page rendered in Chromium: its DOM checked, then a screenshot."""
    html_path = os.path.abspath(os.path.join(build, "timeline.html"))
    url = "file://" + html_path
    events = [l for l in trace_lines if l.startswith("~T ")]
    pids = set()
    for l in events:
        f = l.split()
        if f[3] != "0":
            pids.add(f[3])
        m = re.search(r" (?:child|owner)=(\d+)", l)
        if m and m.group(1) != "0":
            pids.add(m.group(1))
    applied = sum(1 for l in events if l.split()[4] == "apply")
    # a request is a switch_supervisor/switch_user call; registered if it returned 0
    requests, open_call = 0, {}
    for l in events:
        f = l.split()
        if f[4] == "sys":
            open_call[f[3]] = re.search(r" nr=switch_(supervisor|user) ", l) is not None
        elif f[4] == "sysret" and open_call.pop(f[3], False) and " ret=0 " in l:
            requests += 1
    with tempfile.TemporaryDirectory() as work:
        r = chromium(["--virtual-time-budget=5000", "--dump-dom", url], work)
        dom = r.stdout
        check("chromium renders the page", "<svg" in dom, r.stderr[-500:])
        lanes = len(re.findall(r'<g class="lane"', dom))
        check("one lane per process (%d)" % len(pids), lanes == len(pids),
              "%d lanes in the page" % lanes)
        marks = len(re.findall(r'class="mark applied"', dom))
        check("an applied mark per switch in the trace (%d)" % applied,
              marks == applied and applied > 0, "%d marks" % marks)
        arrows = len(re.findall(r'class="arrow applied-arrow"', dom))
        check("an arrow from requester to target per applied switch", arrows == applied,
              "%d arrows" % arrows)
        check("every registered request drawn (%d)" % requests,
              len(re.findall(r'class="arrow ', dom)) == requests, "arrow count differs")
        check("legend present", 'id="legend"' in dom and dom.count('class="legend-item"') >= 10,
              "no legend")
        smode = {l.split()[3] for l in events if l.split()[4] == "apply" and "mode=Smode" in l}
        lanes_dom = re.findall(r'<g class="lane" data-pid="(\d+)".*?</g>', dom, re.S)
        coloured = {pid for pid in smode
                    if re.search(r'<g class="lane" data-pid="%s"[^>]*>(?:(?!</g>).)*'
                                 r'class="seg seg-Smode"' % pid, dom, re.S)}
        check("lanes turn ring-0 colour where a switch to Smode applied (%d)" % len(smode),
              coloured == smode and len(lanes_dom) == len(pids), "lanes %s" % sorted(coloured))
        rows = len(re.findall(r'<tr class="proc"', dom))
        check("a summary row per process", rows == len(pids), "%d rows" % rows)
        placed = re.findall(r'<path class="mark applied"[^>]*transform="translate\(([\d.]+),',
                            dom)
        check("the script placed the marks", len(placed) == marks and
              all(timeline.LEFT <= float(x) <= timeline.LEFT + timeline.WIDTH for x in placed), "marks without a position")
        shot = os.path.join(build, "timeline.png")
        if os.path.exists(shot):
            os.remove(shot)
        r = chromium(["--screenshot=" + os.path.abspath(shot), "--window-size=1300,%d" %
                      (330 + timeline.LANE_H * len(pids) + 30 * len(pids)), url], work)
        ok = os.path.exists(shot) and open(shot, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        check("screenshot %s" % shot, ok, r.stderr[-500:])


def main():
    """Run the parser and browser checks; exit 1 if any failed."""
    build, trace = sys.argv[1], sys.argv[2]
    with open(trace, errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    parser_tests(lines)
    if shutil.which("chromium"):
        browser_tests(build, lines)
    else:
        check("chromium installed", False, "tools/deps.sh --browser installs it")
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
