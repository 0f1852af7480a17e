#!/usr/bin/env python3
"""Clients that misbehave, and the web server serving the others anyway
(tests/run.py runs it once the guest prints "httpd: serving"; see
tests/net/netlib.py).

usage: httpd_faults.py [reset] [idle]
  reset  ten times: ask for a lot (twenty pipelined GETs of the largest
         file of /bin, on a small receive window), read a little of it,
         then reset the connection (SO_LINGER 0: close sends RST) while the
         server is in the middle of its response; between the resets and
         after them, files fetched on a new connection are byte-identical
  idle   64 connections that send nothing stay open while another client
         fetches every file of /lsdata/5 and the largest of /bin; then each
         of the 64 asks for a file and gets it (the server kept them all)
  (no argument: reset, then idle)"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netlib import check, connect, fail, fs_files, read_response, request, say  # noqa: E402

NAME = "httpd_faults"
RESETS = 10
PIPELINED = 20
IDLE = 64


def fetch(paths, files):
    """GET paths on one new connection; each must be 200 and fs.img's bytes."""
    with connect() as s:
        s.sendall(b"".join(request("GET", p) for p in paths))
        f = s.makefile("rb")
        for p in paths:
            r = read_response(f)
            check(r is not None and r.status == 200 and r.body == files[p],
                  "GET %s: %r, want 200 and the %d bytes of fs.img" % (p, r, len(files[p])))


def reset_mid_response(path, files):
    """One client that resets its connection in the middle of a response."""
    s = connect(rcvbuf=4096)
    s.sendall(b"".join(request("GET", path) for _ in range(PIPELINED)))
    got = s.recv(1024)
    check(got.startswith(b"HTTP/1.1 200"), "the response began with %r" % got[:40])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # a reset, with most of the responses unsent


def check_reset(files):
    """Resets mid-response cost the server only that connection."""
    big = max((p for p in files if p.startswith("/bin/")), key=lambda p: len(files[p]))
    small = "/lsdata/5/file002"
    for i in range(RESETS):
        reset_mid_response(big, files)
        fetch([small], files)
    fetch([big, small, big], files)
    say(NAME, "%d clients reset mid-response (%d x %s, %d bytes each, asked); "
        "the next client after each was served" % (RESETS, PIPELINED, big, len(files[big])))


def check_idle(files):
    """64 silent connections do not keep another client from being served."""
    idle = []
    try:
        for _ in range(IDLE):
            idle.append(connect())
        paths = sorted(p for p in files if p.startswith("/lsdata/5/"))
        big = max((p for p in files if p.startswith("/bin/")), key=lambda p: len(files[p]))
        fetch(paths + [big], files)
        say(NAME, "%d idle connections open; another client got %d files" % (
            IDLE, len(paths) + 1))
        for s in idle:
            s.sendall(request("GET", "/lsdata/5/file001"))
        for i, s in enumerate(idle):
            r = read_response(s.makefile("rb"))
            check(r is not None and r.status == 200 and r.body == files["/lsdata/5/file001"],
                  "idle connection %d: %r" % (i, r))
        say(NAME, "then each of the %d idle connections asked for a file and got it" % IDLE)
    finally:
        for s in idle:
            s.close()


def main():
    """Run the checks the arguments name."""
    files = fs_files()
    for a in sys.argv[1:] or ["reset", "idle"]:
        if a == "reset":
            check_reset(files)
        elif a == "idle":
            check_idle(files)
        else:
            fail("usage: httpd_faults.py [reset] [idle]")
    say(NAME, "all checks passed")


if __name__ == "__main__":
    main()
