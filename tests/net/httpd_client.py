#!/usr/bin/env python3
"""The web server's answers, checked from the host (tests/run.py runs it
once the guest prints "httpd: serving"; see tests/net/netlib.py).

usage: httpd_client.py [files] [protocol] [one PATH]
  files     every file of /bin and /lsdata/5 (and /README) fetched with curl,
            all on one keep-alive connection, then /lsdata/5 again one
            HTTP/1.0 connection per file: each body byte-identical to the
            build's fs.img
  protocol  HEAD (headers only, the file's Content-Length), 404 (missing,
            a directory), 400 (garbage, a bad request line, a ".."
            component, also percent-encoded), 405 (POST, with Allow),
            414 (a 64 KiB request line: answered, not a hang), keep-alive
            (HTTP/1.1 by default, HTTP/1.0 only when asked, Connection:
            close honoured) and pipelined requests answered in order
  one PATH  curl one file and compare it (the Bochs case)
  (no argument: files, then protocol)"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netlib import (HOST, check, connect, exchange, fail, fs_files, is_closed,  # noqa: E402
                    port, read_response, request, say, url)

NAME = "httpd_client"


def curl_files(paths, want, extra=()):
    """Fetch paths with one curl (one connection, reused: keep-alive); each
    must be 200 and byte-identical to want[path]. Returns the connections
    curl opened."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["curl", "-sS", "--write-out", "%{http_code} %{num_connects}\\n"] + list(extra)
        outs = []
        for i, p in enumerate(paths):
            outs.append(os.path.join(tmp, "f%d" % i))
            cmd += ["-o", outs[-1], url(p)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        check(r.returncode == 0, "curl exited %d: %s" % (r.returncode, r.stderr.strip()))
        lines = r.stdout.split()
        codes, conns = lines[0::2], [int(n) for n in lines[1::2]]
        check(len(codes) == len(paths),
              "curl reported %d of %d transfers" % (len(codes), len(paths)))
        for p, code, out in zip(paths, codes, outs):
            check(code == "200", "GET %s: status %s" % (p, code))
            with open(out, "rb") as f:
                got = f.read()
            check(got == want[p], "GET %s: %d bytes, not the %d of fs.img%s" % (
                p, len(got), len(want[p]), first_difference(got, want[p])))
        return sum(conns)


def first_difference(a, b):
    """Where bytes a and b first differ, said for a failure message."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return " (first difference at byte %d)" % i
    return ""


def check_files():
    """Every file of /bin and /lsdata/5 (and /README), byte for byte."""
    files = fs_files()
    paths = sorted(p for p in files if p.startswith(("/bin/", "/lsdata/5/")) or p == "/README")
    check(len(paths) > 20, "only %d files found in fs.img" % len(paths))
    conns = curl_files(paths, files)
    total = sum(len(files[p]) for p in paths)
    say(NAME, "GET %d files (%d bytes) of /bin, /lsdata/5 and /README: byte-identical, "
        "%d connection(s)" % (len(paths), total, conns))
    five = [p for p in paths if p.startswith("/lsdata/5/")]
    for p in five:
        curl_files([p], files, ["--http1.0"])
    say(NAME, "GET %d files of /lsdata/5 by HTTP/1.0, a connection each: byte-identical"
        % len(five))


def check_head():
    """HEAD: the headers GET would send, the file's Content-Length, no body."""
    files = fs_files()
    for path in ("/bin/sh", "/lsdata/5/file004"):
        r, closed = exchange(request("HEAD", path, "HTTP/1.0"), head=True)
        check(r.status == 200 and int(r.headers["content-length"]) == len(files[path]),
              "HEAD %s: %r, Content-Length %s, want %d" % (path, r, r.headers.get(
                  "content-length"), len(files[path])))
        check(closed, "HEAD %s (HTTP/1.0): the connection stays open" % path)
    # no body after the headers: the next bytes are the next response
    with connect() as s:
        s.sendall(request("HEAD", "/bin/sh") + request("GET", "/lsdata/5/file000"))
        f = s.makefile("rb")
        r1, r2 = read_response(f, head=True), read_response(f)
        check(r1.status == 200 and r2.status == 200 and r2.body == files["/lsdata/5/file000"],
              "HEAD then GET on one connection: %r, %r" % (r1, r2))
    r = subprocess.run(["curl", "-sS", "-I", url("/bin/ls")], capture_output=True, text=True)
    check(r.returncode == 0 and "Content-Length: %d" % len(files["/bin/ls"]) in r.stdout,
          "curl -I /bin/ls: %s %s" % (r.stdout, r.stderr))
    say(NAME, "HEAD: 200, the file's Content-Length, no body")


def status_of(raw, want, what, closed=None):
    """Send raw on a new connection: the status must be want (and the
    connection closed afterwards, or kept, when closed says so)."""
    r, was_closed = exchange(raw, head=raw.startswith(b"HEAD"))
    check(r.status == want, "%s: %d %s, want %d" % (what, r.status, r.reason, want))
    if closed is not None:
        check(was_closed == closed, "%s: the connection was %s" % (
            what, "closed" if was_closed else "kept"))
    return r


def check_errors():
    """404, 400, 405, 414."""
    status_of(request("GET", "/no/such/file"), 404, "GET /no/such/file", closed=False)
    status_of(request("GET", "/bin"), 404, "GET /bin (a directory)")
    status_of(request("GET", "/lsdata/5/"), 404, "GET /lsdata/5/ (a directory)")
    say(NAME, "404 for a missing file and for a directory; the connection kept")
    status_of(b"\x16\x03\x01\x02\x00garbage\r\n\r\n", 400, "garbage", closed=True)
    status_of(b"GET /bin/ls\r\n\r\n", 400, "a request line without a version", closed=True)
    status_of(b"GET  /bin/ls HTTP/1.1\r\n\r\n", 400, "two spaces in the request line")
    status_of(b"GET /bin/ls HTTP/1.1\r\nno colon here\r\n\r\n", 400, "a header without a colon")
    status_of(request("GET", "bin/ls"), 400, "a target without its leading /")
    for target in ("/../bin/ls", "/bin/../bin/ls", "/%2e%2e/bin/ls", "/bin/%2E%2e", "/.."):
        status_of(request("GET", target), 400, "GET %s" % target, closed=True)
    status_of(request("GET", "/bin/l%73"), 200, "GET /bin/l%73 (percent-encoded ls)")
    status_of(request("GET", "/bin/ls?x=1"), 200, "GET /bin/ls?x=1 (a query)")
    say(NAME, "400 for garbage, bad request lines and headers, '..' (also as %2e%2e); "
        "the connection closed")
    r = status_of(request("POST", "/bin/ls", headers=["Content-Length: 0"]), 405, "POST")
    check(r.headers.get("allow") == "GET, HEAD", "405 without 'Allow: GET, HEAD': %s" % r.headers)
    status_of(request("DELETE", "/bin/ls"), 405, "DELETE")
    say(NAME, "405 for POST and DELETE, with Allow: GET, HEAD")
    status_of(b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\n\r\n", 414, "a 64 KiB request line",
              closed=True)
    status_of(request("GET", "/bin/ls", headers=["X-Long: " + "b" * 8192]), 431,
              "8 KiB of headers", closed=True)
    say(NAME, "414 for a 64 KiB request line, 431 for 8 KiB of headers; the connection closed")


def check_keepalive():
    """Who closes: HTTP/1.1 keeps by default, HTTP/1.0 only when asked."""
    cases = [("HTTP/1.1", [], False), ("HTTP/1.1", ["Connection: close"], True),
             ("HTTP/1.0", [], True), ("HTTP/1.0", ["Connection: keep-alive"], False),
             ("HTTP/1.0", ["Connection: Keep-Alive, foo"], False),
             ("HTTP/1.0", ["Connection: keep-alive, close"], True)]
    for version, headers, closed in cases:
        r = status_of(request("GET", "/lsdata/5/file001", version, headers), 200,
                      "%s %s" % (version, headers), closed=closed)
        want = "close" if closed else "keep-alive"
        check(r.headers.get("connection", "").lower() == want,
              "%s %s: Connection: %s" % (version, headers, r.headers.get("connection")))
    say(NAME, "keep-alive: HTTP/1.1 by default, HTTP/1.0 when asked; Connection: close honoured")
    files = fs_files()
    paths = ["/lsdata/5/file%03d" % i for i in range(5)] + ["/bin/cat", "/nope", "/README"]
    with connect() as s:
        s.sendall(b"".join(request("GET", p) for p in paths))
        f = s.makefile("rb")
        for p in paths:
            r = read_response(f)
            check(r is not None, "pipelined: no response for %s" % p)
            check((r.status, r.body) == ((200, files[p]) if p in files else (404, r.body)),
                  "pipelined GET %s: %r" % (p, r))
    say(NAME, "%d pipelined requests on one connection: answered in order" % len(paths))


def check_one(path):
    """One file with curl (the Bochs case: it is slow)."""
    files = fs_files()
    check(path in files, "%s is not in fs.img" % path)
    curl_files([path], files)
    say(NAME, "GET %s: %d bytes, byte-identical" % (path, len(files[path])))


def main():
    """Run the checks the arguments name."""
    args = sys.argv[1:] or ["files", "protocol"]
    say(NAME, "server at %s:%d" % (HOST, port()))
    while args:
        a = args.pop(0)
        if a == "files":
            check_files()
        elif a == "protocol":
            check_head()
            check_errors()
            check_keepalive()
        elif a == "one" and args:
            check_one(args.pop(0))
        else:
            fail("usage: httpd_client.py [files] [protocol] [one PATH]")
    say(NAME, "all checks passed")


if __name__ == "__main__":
    main()
