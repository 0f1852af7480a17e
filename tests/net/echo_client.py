#!/usr/bin/env python3
"""The host's side of the echo test through the card (tests/run.py runs it
once the guest's t_echosrv says it is ready; see tests/net/netlib.py).

usage: echo_client.py [BYTES [CONNECTIONS]]
CONNECTIONS connections (default 1) one after another: on each, BYTES
(default 1 MiB) of a pattern go out while a second thread reads the echo;
then the client half-closes, and the server's close ends the echo. The echo
must equal what was sent, byte for byte. Slirp, between the two, is a TCP
of its own: the guest's side of every byte is its e1000 rings and its TCP."""
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netlib import check, connect, say  # noqa: E402

NAME = "echo_client"


def pattern(n, salt):
    """n bytes, different on each connection, where a byte out of place shows."""
    return bytes((i * 31 + (i >> 8) + salt) & 0xff for i in range(n))


def echo_once(data):
    """Send data on a new connection while reading its echo; returns the echo."""
    s = connect()
    parts = []

    def reader():
        while True:
            b = s.recv(65536)
            if not b:
                return
            parts.append(b)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)  # the server reads its end of file, and closes
    t.join()
    s.close()
    return b"".join(parts)


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20
    conns = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    for c in range(conns):
        data = pattern(size, c)
        echo = echo_once(data)
        same = min(len(echo), len(data))
        first = next((i for i in range(same) if echo[i] != data[i]), same)
        check(echo == data, "connection %d: %d bytes sent, %d came back, the first difference "
              "at byte %d" % (c + 1, len(data), len(echo), first))
        say(NAME, "%d bytes each way, equal" % size)


if __name__ == "__main__":
    main()
