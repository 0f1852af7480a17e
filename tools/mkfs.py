#!/usr/bin/env python3
"""Build the initial file-system image (a multiboot module, loaded by
kernel/fs.c: fs_init).

usage: mkfs.py OUT [DEST=SRC ...]
  DEST=SRC   put host file SRC at DEST (e.g. /bin/sh=build/user/sh)
The image also gets the directories of the paper's ls experiment (Fig. 9),
generated here: /lsdata/5 with 5 files and /lsdata/408 with 408 files.

Format: b"DMSMFS01", u32 count, then count records of
u32 type (1 file, 2 directory), u32 path length, u32 data length, path, data,
zero padding of the data to a multiple of 4. Parents come before their children."""
import struct
import sys

T_FILE, T_DIR = 1, 2


def main():
    """Write the image OUT from the DEST=SRC specs on the command line."""
    out, specs = sys.argv[1], sys.argv[2:]
    files = {}
    for spec in specs:
        dest, src = spec.split("=", 1)
        with open(src, "rb") as f:
            files[dest] = f.read()
    files["/README"] = (
        b"This is the file system of the DMSM teaching OS.\n"
        b"Try: ls -l /bin, cat /README | cat, spin &, ps, mode s PID.\n")
    # The paper's ls experiment: a small directory and one the size of its /usr/bin.
    for count in (5, 408):
        for i in range(count):
            name = "/lsdata/%d/file%03d" % (count, i)
            files[name] = (b"file %d of %d\n" % (i, count)) * (1 + (i * 7) % 40)

    dirs = {"/tmp"}  # an empty writable directory for scratch files
    for path in files:
        parts = path.strip("/").split("/")[:-1]
        for n in range(1, len(parts) + 1):
            dirs.add("/" + "/".join(parts[:n]))
    entries = [(d, T_DIR, b"") for d in sorted(dirs, key=lambda d: (d.count("/"), d))]
    entries += [(p, T_FILE, files[p]) for p in sorted(files)]

    blob = bytearray(b"DMSMFS01" + struct.pack("<I", len(entries)))
    for path, typ, data in entries:
        p = path.encode()
        blob += struct.pack("<III", typ, len(p), len(data)) + p + data
        blob += b"\0" * (-len(data) % 4)
    with open(out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
