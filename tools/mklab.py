#!/usr/bin/env python3
"""Cut student trees for the coursework labs out of the one source tree.

The solution code of each exercise sits in the tree between markers on lines
of their own (C, and NASM with ';' for '//'):

    // BEGIN LAB 3: the fast path of the function receiver
    // STUB: panic("lab 3: fcall_entry's fast path is not written yet");
    ... the solution, built and run as part of the full OS ...
    // END LAB 3

The build never sees the markers (they are comments). The `STUB:` lines,
first in a block, are the least code that keeps a student tree building and
failing fast and readably when the missing code is reached; in the full
tree they are only comments (so no line follows the solution's last
return).

usage:
  mklab.py list [LAB]                 the blocks (id, lab, file:line, name)
  mklab.py handout LAB DEST           a student tree for lab LAB in DEST, a
                                      fresh git repository with one commit:
                                      the blocks of LAB cut to "LAB n: your
                                      code here" plus their STUB lines, the
                                      blocks of earlier labs solved, the
                                      markers of later labs removed
  mklab.py cut BLOCK DEST             the full tree with only BLOCK (an id
                                      from `list`, like 3.2) cut; files that
                                      did not change keep their times, so
                                      that make rebuilds only what it must
Python 3 standard library only."""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIRS = ("boot", "kernel", "libsys", "user", "tests/progs")
SOURCE_EXT = (".c", ".h", ".asm", ".inc")
NLABS = 8

MARK = re.compile(r"^(\s*)(//|;) (BEGIN LAB (\d+): (.+?)|END LAB (\d+)|STUB:(?: (.*))?)\s*$")


class MarkerError(Exception):
    """A marker out of place: the message names the file and line."""
    pass


def source_files(root):
    """The files that may hold markers, relative to root, sorted."""
    out = []
    for d in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                if f.endswith(SOURCE_EXT):
                    out.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(out)


def parse(path, text):
    """Split text into a list of pieces: plain lines (str) and blocks (dict
    with lab, name, line, indent, comment, body lines, stub lines)."""
    pieces, block = [], None
    for no, line in enumerate(text.splitlines(keepends=True), 1):
        m = MARK.match(line)
        if not m:
            if block is not None:
                block["body"].append(line)
            else:
                pieces.append(line)
            continue
        indent, comment = m.group(1), m.group(2)
        if m.group(4):  # BEGIN
            if block is not None:
                raise MarkerError("%s:%d: BEGIN LAB inside the block of line %d" % (path, no, block["line"]))
            lab = int(m.group(4))
            if not 1 <= lab <= NLABS:
                raise MarkerError("%s:%d: no lab %d" % (path, no, lab))
            block = dict(lab=lab, name=m.group(5), line=no, indent=indent, comment=comment,
                         body=[], stub=[], file=path)
        elif m.group(6):  # END
            if block is None or int(m.group(6)) != block["lab"]:
                raise MarkerError("%s:%d: END LAB %s without its BEGIN" % (path, no, m.group(6)))
            pieces.append(block)
            block = None
        else:  # STUB
            if block is None:
                raise MarkerError("%s:%d: STUB outside a block" % (path, no))
            block["stub"].append(indent + (m.group(7) or "") + "\n")
    if block is not None:
        raise MarkerError("%s:%d: BEGIN LAB %d never ends" % (path, block["line"], block["lab"]))
    return pieces


def blocks(root):
    """Every block of the tree, in file order, each with its id "lab.k"."""
    found, count = [], {}
    for rel in source_files(root):
        with open(os.path.join(root, rel)) as f:
            text = f.read()
        for p in parse(rel, text):
            if isinstance(p, dict):
                count[p["lab"]] = count.get(p["lab"], 0) + 1
                p["id"] = "%d.%d" % (p["lab"], count[p["lab"]])
                found.append(p)
    return found


def render(pieces, action):
    """Text of a file; action(block) says "solve" (its code, no markers),
    "keep" (code and markers as they are) or "cut" (the student's version)."""
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
            continue
        what = action(p)
        if what == "solve":
            out.extend(p["body"])
        elif what == "cut":
            out.append("%s%s LAB %d: your code here (%s)\n" % (p["indent"], p["comment"], p["lab"], p["name"]))
            out.extend(p["stub"])
        else:
            c, i = p["comment"], p["indent"]
            out.append("%s%s BEGIN LAB %d: %s\n" % (i, c, p["lab"], p["name"]))
            out.extend("%s%s STUB: %s\n" % (i, c, s[len(i):].rstrip("\n")) if s.strip() else "%s%s STUB:\n" % (i, c)
                       for s in p["stub"])
            out.extend(p["body"])
            out.append("%s%s END LAB %d\n" % (i, c, p["lab"]))
    return "".join(out)


def tree_files(root):
    """The tree's files: what git tracks plus new files not ignored."""
    r = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       capture_output=True, check=True)
    return sorted(f for f in r.stdout.decode().split("\0") if f and os.path.isfile(os.path.join(root, f)))


def write_if_changed(path, data):
    """Write data (bytes) to path unless it already holds exactly that (its time stays)."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def export(src, dest, action, extra=None):
    """Write the tree src to dest, every source file rendered by action;
    extra maps more relative paths to their contents. Files of dest that
    the new tree does not have are removed (build/ and .git/ stay)."""
    sources = set(source_files(src))
    wanted = {}
    for rel in tree_files(src):
        path = os.path.join(src, rel)
        if rel in sources:
            with open(path) as f:
                wanted[rel] = render(parse(rel, f.read()), action).encode()
        else:
            wanted[rel] = None  # copied as it is
    for rel, data in (extra or {}).items():
        wanted[rel] = data.encode()
    for rel, data in wanted.items():
        out = os.path.join(dest, rel)
        if data is None:
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if not (os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(os.path.join(src, rel))
                    and os.path.getsize(out) == os.path.getsize(os.path.join(src, rel))):
                shutil.copy2(os.path.join(src, rel), out)
        else:
            write_if_changed(out, data)
    for dirpath, dirs, files in os.walk(dest):
        rel_dir = os.path.relpath(dirpath, dest)
        if rel_dir == ".":
            dirs[:] = [d for d in dirs if d not in ("build", ".git")]
        for f in files:
            rel = os.path.normpath(os.path.join(rel_dir, f))
            if rel not in wanted:
                os.remove(os.path.join(dirpath, f))


def answers_template(src, lab):
    """answers-labN.txt for the handout, from the numbered list under
    "## Questions" in docs/labs/labN.md (one source for both)."""
    with open(os.path.join(src, "docs", "labs", "lab%d.md" % lab)) as f:
        doc = f.read()
    title = doc.splitlines()[0].lstrip("# ").strip()
    m = re.search(r"^## Questions\n(.*?)(?=^## )", doc, re.M | re.S)
    if not m:
        raise MarkerError("docs/labs/lab%d.md has no \"## Questions\" section" % lab)
    items = re.findall(r"^(\d+)\. (.*?)(?=^\d+\. |\Z)", m.group(1), re.M | re.S)
    out = ["%s: your answers" % title,
           "(graded by hand by the course staff; `make grade` only checks that each is filled in)", ""]
    for num, text in items:
        out.append("Question %s: %s" % (num, " ".join(text.split())))
        out.append("Answer:")
        out.append("")
        out.append("")
    return "\n".join(out)


def handout(src, lab, dest):
    """The student tree of lab in dest (see the module's usage), a fresh git repository."""
    def action(b):
        """Cut the blocks of this lab, solve the others."""
        return "cut" if b["lab"] == lab else "solve"
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    export(src, dest, action, {"answers-lab%d.txt" % lab: answers_template(src, lab),
                               ".lab": "%d\n" % lab})
    env = dict(os.environ, GIT_AUTHOR_NAME="course staff", GIT_AUTHOR_EMAIL="staff@example.org",
               GIT_COMMITTER_NAME="course staff", GIT_COMMITTER_EMAIL="staff@example.org")
    for cmd in (["init", "-q", "-b", "lab%d" % lab], ["add", "-A"],
                ["commit", "-q", "-m", "lab %d handout" % lab]):
        subprocess.run(["git", "-C", dest] + cmd, check=True, env=env)
    n = sum(1 for b in blocks(src) if b["lab"] == lab)
    print("mklab: %s: the lab %d handout (%d exercise blocks to write), one commit" % (dest, lab, n))


def cut(src, block_id, dest):
    """The tree src in dest with only block block_id cut; exits if there is no such block."""
    which = [(b["file"], b["line"]) for b in blocks(src) if b["id"] == block_id]
    if not which:
        sys.exit("mklab: no block %s (see `mklab.py list`)" % block_id)
    os.makedirs(dest, exist_ok=True)
    export(src, dest, lambda b: "cut" if (b["file"], b["line"]) == which[0] else "keep")


def main(argv):
    """The list, handout and cut commands (see the module's usage)."""
    if len(argv) < 2 or argv[1] not in ("list", "handout", "cut"):
        sys.exit(__doc__)
    try:
        if argv[1] == "list":
            lab = int(argv[2]) if len(argv) > 2 else None
            for b in blocks(ROOT):
                if lab is None or b["lab"] == lab:
                    print("%-5s lab %d  %s:%d  %s" % (b["id"], b["lab"], b["file"], b["line"], b["name"]))
        elif argv[1] == "handout":
            handout(ROOT, int(argv[2]), argv[3])
        else:
            cut(ROOT, argv[2], argv[3])
    except MarkerError as e:
        sys.exit("mklab: %s" % e)


if __name__ == "__main__":
    main(sys.argv)
