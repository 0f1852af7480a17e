#!/usr/bin/env python3
"""The web server under load, from the host (tests/run.py runs it once the
guest prints "httpd: serving"; see tests/net/netlib.py).

usage: httpd_load.py [ab] [ab-k] [wrk] [--path PATH]
  ab     ab -n 2000 -c 4: a new connection per request; 0 failed, all 2xx
  ab-k   the same with keep-alive (-k): every response kept the connection
  wrk    wrk -t1 -c4 -d5s (HTTP/1.1, keep-alive): no socket errors, no
         response other than 2xx, and some requests done
  PATH   the file requested (default /lsdata/5/file003); its body is
         checked once with curl first
  (no argument: ab, ab-k, wrk)
ab's and wrk's own timeouts are set far beyond any answer (-s, --timeout):
the test judges the answers, not how fast they came. Slirp's backlog of 1
makes some of ab's connects wait for a SYN retry; that costs time only."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netlib import check, fail, fs_files, say, url  # noqa: E402

NAME = "httpd_load"
REQUESTS, CONCURRENCY = 2000, 4
PATIENCE = 600  # seconds ab and wrk wait for one answer before they call it a failure


def field(text, label):
    """The number after "label:" in ab's report, or None when absent."""
    m = re.search(r"^%s:\s+(\d+)" % re.escape(label), text, re.M)
    return int(m.group(1)) if m else None


def run(cmd):
    """Run a load tool; its report, after checking that it exited 0."""
    say(NAME, "running: %s" % " ".join(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True)
    report = r.stdout + r.stderr
    if r.returncode != 0:
        print(report, flush=True)
        fail("%s exited with status %d" % (cmd[0], r.returncode))
    return report


def check_ab(path, size, keepalive):
    """ab -n 2000 -c 4 [-k]: all complete, none failed, none non-2xx."""
    cmd = ["ab", "-q", "-r", "-s", str(PATIENCE), "-n", str(REQUESTS), "-c", str(CONCURRENCY)]
    out = run(cmd + (["-k"] if keepalive else []) + [url(path)])
    complete, failed = field(out, "Complete requests"), field(out, "Failed requests")
    non2xx, kept = field(out, "Non-2xx responses"), field(out, "Keep-Alive requests")
    doc = field(out, "Document Length")
    how = "keep-alive" if keepalive else "a connection per request"
    if complete != REQUESTS or failed != 0 or non2xx or doc != size or (
            keepalive and kept != REQUESTS):
        print(out, flush=True)
        fail("ab (%s): %s complete, %s failed, %s non-2xx, %s kept alive, document %s bytes" % (
            how, complete, failed, non2xx, kept, doc))
    rate = re.search(r"Requests per second:\s+([\d.]+)", out)
    say(NAME, "ab -n %d -c %d (%s): %d complete, 0 failed, all 2xx (%s requests/s)" % (
        REQUESTS, CONCURRENCY, how, complete, rate.group(1) if rate else "?"))


def check_wrk(path):
    """wrk -t1 -c4 -d5s: no socket errors and no non-2xx responses."""
    out = run(["wrk", "-t1", "-c%d" % CONCURRENCY, "-d5s", "--timeout", "%ds" % PATIENCE,
               url(path)])
    done = re.search(r"^\s*(\d+) requests in", out, re.M)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not done or int(done.group(1)) == 0 or (errors and any(int(g) for g in errors.groups())) \
            or non2xx:
        print(out, flush=True)
        fail("wrk: %s requests, %s, %s" % (done.group(1) if done else "no",
                                           errors.group(0) if errors else "no socket errors",
                                           non2xx.group(0) if non2xx else "all 2xx"))
    say(NAME, "wrk -t1 -c%d -d5s: %s requests, no socket errors, all 2xx" % (
        CONCURRENCY, done.group(1)))


def main():
    """Check the body once, then run the tools the arguments name."""
    args, path = sys.argv[1:], "/lsdata/5/file003"
    if "--path" in args:
        i = args.index("--path")
        path = args[i + 1]
        del args[i:i + 2]
    files = fs_files()
    check(path in files, "%s is not in fs.img" % path)
    body = subprocess.run(["curl", "-sS", url(path)], capture_output=True).stdout
    check(body == files[path], "GET %s: %d bytes, not fs.img's %d" % (path, len(body),
                                                                      len(files[path])))
    for a in args or ["ab", "ab-k", "wrk"]:
        if a in ("ab", "ab-k"):
            check_ab(path, len(files[path]), a == "ab-k")
        elif a == "wrk":
            check_wrk(path)
        else:
            fail("usage: httpd_load.py [ab] [ab-k] [wrk] [--path PATH]")
    say(NAME, "all checks passed")


if __name__ == "__main__":
    main()
