#!/usr/bin/env python3
"""The labs' mutants: plausible wrong solutions that a lab's grader must fail.

A mutant is one mistake a student could make in one exercise block, kept as
a patch against the full tree in tools/labs/mutants/labN/NAME.patch. Its
first lines say what it is, then comes the diff (`git diff` output; `git
apply` skips the lines before it):

    Mistake: the request is recorded, but TW_MODE is never set
    Block: recording the request
    Equivalent: (only for a mutant no test can tell from the solution: why)
    Known-gap: (only for a mutant the grader is known to miss, or to catch
               only by chance: what a test would need; check-labs reports
               it in its table instead of failing, until a test catches it)

    diff --git a/kernel/mode.c b/kernel/mode.c
    ...

Block names a block of lab N by its name (the text after "BEGIN LAB N:").
A mutant may change that block's code only: check() says so when a patch
changes anything else, or nothing (the code moved and the patch is stale).
`make check-labs` (tools/checklabs.py) applies every mutant to a copy of the
full tree and grades it: the lab must lose points, unless the mutant is
marked Equivalent.

usage:
  mutants.py list [LAB]        every mutant: lab, name, block, mistake
  mutants.py apply LAB/NAME DIR  apply one to the tree in DIR (a copy of this one)
  mutants.py check [LAB]       every mutant applies to this tree and changes only its block
Python 3 standard library only."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mklab  # noqa: E402

MUTANT_DIR = os.path.join("tools", "labs", "mutants")
HEADER = re.compile(r"^(Mistake|Block|Equivalent|Known-gap):\s*(.*)$")
MIN_PER_BLOCK = 3


class Mutant:
    """One patch: lab, name (its file name without .patch), path, mistake,
    block (a block name of its lab), equivalent (the reason, or None)."""

    def __init__(self, lab, path):
        self.lab, self.path = lab, path
        self.name = os.path.basename(path)[:-len(".patch")]
        fields = {}
        with open(path) as f:
            for line in f:
                m = HEADER.match(line)
                if not m:
                    break
                fields[m.group(1)] = m.group(2).strip()
        self.mistake = fields.get("Mistake", "")
        self.block = fields.get("Block", "")
        self.equivalent = fields.get("Equivalent")
        self.known_gap = fields.get("Known-gap")

    def id(self):
        """lab4/name."""
        return "lab%d/%s" % (self.lab, self.name)


def load(root, labs=None):
    """Every mutant under root's MUTANT_DIR, of the labs given (default all),
    sorted by lab and name."""
    out = []
    base = os.path.join(root, MUTANT_DIR)
    for d in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        m = re.fullmatch(r"lab(\d+)", d)
        if not m or (labs and int(m.group(1)) not in labs):
            continue
        for f in sorted(os.listdir(os.path.join(base, d))):
            if f.endswith(".patch"):
                out.append(Mutant(int(m.group(1)), os.path.join(base, d, f)))
    return out


def apply(mutant, tree):
    """Apply mutant to the tree in tree (git apply, which also works outside
    a repository). Returns None, or why it did not apply."""
    # (the ceiling keeps git from finding a repository around tree, such as
    # this one around build/: in one, it would skip the paths outside tree)
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(os.path.abspath(tree)))
    r = subprocess.run(["git", "apply", "--whitespace=nowarn", os.path.abspath(mutant.path)], cwd=tree,
                       capture_output=True, text=True, env=env)
    return None if r.returncode == 0 else (r.stderr.strip() or "git apply failed")


def changed_files(mutant):
    """The files the patch changes (its +++ b/ lines)."""
    with open(mutant.path) as f:
        return sorted(set(re.findall(r"^\+\+\+ b/(\S+)", f.read(), re.M)))


def pieces_outside(pieces, block_name):
    """The text of a parsed file with the block named block_name left out,
    and that block's body (None if the file has no such block)."""
    rest, body = [], None
    for p in pieces:
        if isinstance(p, dict) and p["name"] == block_name and body is None:
            body = "".join(p["body"])
            rest.append("<the block>")
        else:
            rest.append(p if isinstance(p, str) else repr((p["lab"], p["name"], p["body"], p["stub"])))
    return rest, body


def scope_problem(mutant, root, tree):
    """Why the applied mutant in tree does more or less than change its own
    block of root's code, or None."""
    names = {b["name"] for b in mklab.blocks(root) if b["lab"] == mutant.lab}
    if mutant.block not in names:
        return "names no block of lab %d: %r" % (mutant.lab, mutant.block)
    changed_block = False
    for rel in changed_files(mutant):
        with open(os.path.join(root, rel)) as f:
            before = mklab.parse(rel, f.read())
        with open(os.path.join(tree, rel)) as f:
            after = mklab.parse(rel, f.read())
        rest_before, body_before = pieces_outside(before, mutant.block)
        rest_after, body_after = pieces_outside(after, mutant.block)
        if rest_before != rest_after:
            return "changes %s outside the block %r" % (rel, mutant.block)
        changed_block |= body_before is not None and body_before != body_after
    return None if changed_block else "does not change the block %r" % mutant.block


def check(root, labs=None):
    """Every mutant applies to root and changes only its block; every block
    of the labs has MIN_PER_BLOCK of them. Returns a list of problems."""
    problems, count = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for m in load(root, labs):
            for rel in changed_files(m):
                os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
                shutil.copy(os.path.join(root, rel), os.path.join(tmp, rel))
            why = apply(m, tmp) or scope_problem(m, root, tmp)
            if why:
                problems.append("mutant %s: %s" % (m.id(), why))
            count[(m.lab, m.block)] = count.get((m.lab, m.block), 0) + 1
            shutil.rmtree(tmp)
            os.makedirs(tmp)
    for b in mklab.blocks(root):
        if (not labs or b["lab"] in labs) and count.get((b["lab"], b["name"]), 0) < MIN_PER_BLOCK:
            problems.append("block %s (%s) has %d mutants, %d wanted" % (
                b["id"], b["name"], count.get((b["lab"], b["name"]), 0), MIN_PER_BLOCK))
    return problems


def main(argv):
    """The list, apply and check commands (see the module's usage)."""
    if len(argv) < 2 or argv[1] not in ("list", "apply", "check"):
        sys.exit(__doc__)
    if argv[1] == "list":
        for m in load(ROOT, [int(argv[2])] if len(argv) > 2 else None):
            print("%-28s %-40s %s%s" % (m.id(), m.block[:40], m.mistake,
                                        " [equivalent: %s]" % m.equivalent if m.equivalent else ""))
    elif argv[1] == "apply":
        found = [m for m in load(ROOT) if m.id() == argv[2]]
        if not found:
            sys.exit("mutants.py: no mutant %s (see `mutants.py list`)" % argv[2])
        why = apply(found[0], argv[3])
        if why:
            sys.exit("mutants.py: %s does not apply: %s" % (argv[2], why))
    else:
        problems = check(ROOT, [int(argv[2])] if len(argv) > 2 else None)
        for p in problems:
            print(p)
        print("mutants: %s" % ("%d problems" % len(problems) if problems else "OK"))
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main(sys.argv)
