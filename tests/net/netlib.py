"""What the host-side clients of the web server's tests share (tests/net/).

A client runs on the host while the guest serves (a case's `client` key,
tests/run.py). It finds the server at 127.0.0.1:$NETPORT (QEMU's or Bochs's
slirp forwards that port to the guest's port 80) and the build tree at
$BUILD (default build), whose fs.img holds the bytes every file should
have. It prints one line per check, and exits 0 only when all passed
(fail() prints "FAIL: why" and exits 1).

No check here has a time limit: a server that hangs is caught by the
case's timeout, which ends the client too. Slirp listens on the forwarded
port with a backlog of 1, so a connect may wait for a SYN retry (a second
or so); the clients use keep-alive or few connections at once."""
import os
import socket
import struct
import sys

HOST = "127.0.0.1"


def port():
    """The forwarded port: 127.0.0.1:NETPORT on the host is the guest's port 80."""
    try:
        return int(os.environ["NETPORT"])
    except (KeyError, ValueError):
        fail("NETPORT is not set: run me from tests/run.py (a case with net = 1 and client)")


def url(path):
    """The URL of path on the guest's server."""
    return "http://%s:%d%s" % (HOST, port(), path)


def say(name, text):
    """One line of a client's report."""
    print("%s: %s" % (name, text), flush=True)


def fail(text):
    """The end of a failed run: one line saying why, exit status 1."""
    print("FAIL: %s" % text, flush=True)
    sys.exit(1)


def check(cond, text):
    """fail(text) unless cond holds."""
    if not cond:
        fail(text)


def fs_files(build=None):
    """{path: bytes} of every file in the guest's file-system image
    (build/fs.img, the format tools/mkfs.py writes and kernel/fs.c reads):
    exactly what the server has to send."""
    build = build or os.environ.get("BUILD", "build")
    with open(os.path.join(build, "fs.img"), "rb") as f:
        blob = f.read()
    check(blob[:8] == b"DMSMFS01", "%s/fs.img is not a DMSMFS01 image" % build)
    count, = struct.unpack_from("<I", blob, 8)
    pos, files = 12, {}
    for _ in range(count):
        typ, plen, dlen = struct.unpack_from("<III", blob, pos)
        pos += 12
        path = blob[pos:pos + plen].decode()
        data = blob[pos + plen:pos + plen + dlen]
        pos += plen + dlen + (-dlen % 4)
        if typ == 1:
            files[path] = data
    return files


def connect(rcvbuf=None):
    """A TCP connection to the server (rcvbuf: a small receive buffer, set
    before the connect so that the window is small from the start)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect((HOST, port()))
    return s


class Response:
    """One HTTP response read off a connection: status, reason, headers
    (names in lower case), body; version as "HTTP/1.1"."""

    def __init__(self, version, status, reason, headers, body):
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.body = headers, body

    def __repr__(self):
        return "%d %s (%d body bytes)" % (self.status, self.reason, len(self.body))


def read_response(f, head=False):
    """The next response on the buffered reader f (sock.makefile("rb")), or
    None at end of file before it. head: the request was HEAD (no body).
    Every response must carry a Content-Length."""
    line = f.readline()
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    check(len(parts) >= 2 and parts[0].startswith("HTTP/1.") and parts[1].isdigit(),
          "a malformed status line: %r" % line)
    headers = {}
    while True:
        h = f.readline()
        check(h.endswith(b"\n"), "the headers ended early: %r" % h)
        h = h.decode("latin-1").rstrip("\r\n")
        if not h:
            break
        name, _, value = h.partition(":")
        headers[name.strip().lower()] = value.strip()
    check("content-length" in headers, "no Content-Length in %s %s" % (parts[1], headers))
    n = int(headers["content-length"])
    body = b"" if head else f.read(n)
    check(len(body) == (0 if head else n), "body of %d bytes, Content-Length %d" % (len(body), n))
    return Response(parts[0], int(parts[1]), parts[2] if len(parts) > 2 else "", headers, body)


def request(method, path, version="HTTP/1.1", headers=()):
    """The bytes of a request with a Host header and the given extra header lines."""
    lines = ["%s %s %s" % (method, path, version), "Host: %s:%d" % (HOST, port())]
    return ("\r\n".join(lines + list(headers)) + "\r\n\r\n").encode("latin-1")


def exchange(raw, head=False):
    """Send raw on a new connection, read one response; also return whether
    the server then closed the connection. (response, closed)"""
    with connect() as s:
        s.sendall(raw)
        f = s.makefile("rb")
        r = read_response(f, head)
        check(r is not None, "no response to %r" % raw[:60])
        return r, is_closed(s, f)


def is_closed(s, f):
    """Whether the server has closed connection s (f its reader), asked by
    sending another request: a closed one answers end of file (or a reset)."""
    try:
        s.sendall(request("HEAD", "/"))
        return f.readline() == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
