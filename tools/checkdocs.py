#!/usr/bin/env python3
"""make check-docs: check that the docs say what the tree does.

Reads README.md, docs/*.md and docs/labs/*.md and compares them with the
sources (kernel/, boot/, libsys/, user/, tests/, tools/, .ci/, Makefile,
linker.ld), "the code" below. Needs no build directory and no
cross-toolchain, and runs in about a second. Each rule is a function
check_RULE; each problem is one line "file:line: [rule] what is wrong"; the
last line is "check-docs: N problems" (exit status 1) or "check-docs: OK".

The rules:

 names     Every `code span` that names something names something that
           exists. A span with spaces is a command, an expression or a
           message: only its shapes `file: name`, `name(args)`, `struct name`
           and, elsewhere, its names with an underscore and its paths into
           the tree are checked (a `make ...` span is rule make's). A span
           without spaces, by its shape:
             - a number, or punctuation: not checked;
             - a path with a directory (`kernel/mode.c`, `uapi/trace.h`,
               `tests/progs/t_*.c`): a file or directory of the tree ends
               with it; upper-case words and lab numbers in it are
               pattern words (`user/NAME.c`, `docs/labs/labN.md`). Under
               build/ (made by make, so not in the tree) its last part must
               be named by the code that makes it (Makefile, tools/...);
             - a file name (`mode.c`, `kernel.elf`, `handin-lab3.zip`): a
               file of the tree, or named by the code that makes it;
             - an absolute path: `/bin/X` needs user/X.c, `/test/X` needs
               tests/progs/X.c, another guest path (`/lsdata/5`) must be
               named by the code that makes the image; host paths are left
               to rule machine;
             - an option (`-icount`, `init=`, `LAB=3`) or an error
               (`-EPERM`): its name is in the code;
             - a name (`frame_pin_user`, `TF_ERR_FCALL`, `p->resident`,
               `syscalls[]`, `.tail_work`, `SEL_*`): each part is a word of
               the code (comments count) or the name of one of its files
               (`t_walk`).
           What is not code needs no list when the code has it anyway (the
           x86 names in the .asm files, GDB's commands in tools/gdbinit and
           the tests). The rest is let through by category, each a short
           list or a rule in NOT_CODE: x86 registers (by rule), flag and
           CPU-table names, system instructions the kernel does not use,
           Bochs debugger commands, host commands, and a few names of other
           systems the docs compare with (ATA, Linux, Kernel Mode Linux,
           Gradescope). Also let through: a Challenge section (it proposes
           code that does not exist yet) and a file a command in the same
           doc makes (`qemu.log`).
 make      Every make command (in a code span or a code block) names real
           targets of the Makefile: explicit ones, file targets
           (`make build/method-a/kernel.elf`), pattern ones (`run-%`);
           VAR=value words are fine. A pattern target's stem must be a
           program its recipe can boot: `make run-X` boots /bin/X, so X needs
           user/X.c; bochs-X and qemu-gdb-X take tests/progs/X.c too.
 machine   No absolute path of a particular machine, anywhere in a doc: a
           path of two or more parts whose first is neither a standard (FHS)
           directory nor one of the guest's, or any path under /home or
           /root (a checkout's own tool directory, say). Gradescope's
           /autograder/ is public.
 issues    No tracked file cites a tracker's number for a piece of work (the
           word followed by a number, one or several): the reader has no
           issue tracker.
 tests     README.md's "N test cases" is the number of sections of
           tests/cases.ini, all of which `make test` runs (tests/run.py).
 syscalls  "N system calls" and "numbers 1 to N", said of the table, agree
           with the list of the system calls, kernel/uapi/syscalls.h;
           a table of system calls (10 or more of its names, and most, are
           calls) lists every call and nothing else.
 placed    A name the doc puts in a file (`file: name`, `name` (`file`),
           `name` in `file`, and the names of a table row whose first cell
           starts with files, as in the source map) is defined or used in
           that file, comments aside (a linker script's comments count).
 frame     What a paragraph says a system-call receiver pushes as err or
           trapno ("err 0", "trapno 0x80", "0 (err)", "trapno T_SYSCALL")
           is what its assembly pushes: `push X ; err` lines, and the two
           pushes before `jmp alltraps` (err, then trapno), macro parameters
           followed to the macro's uses. The receiver a paragraph is about is
           the .asm file (fcall.asm, sysenter.asm, trapasm.asm) that defines
           a code name it mentions, else one its nearest heading mentions.
 errno     A bullet list of `-EXXX` results after a paragraph or under a
           heading that names system calls: each error occurs in the file
           that defines the call's handler (kernel/*.c, `sys_NAME(` at the
           start of a line).
 values    A constant's value where a doc states it (`HZ` = 100, `NOFILE`
           (80), `KSTACK_SIZE` = 8 KiB, `AP_STACK_TOP` (= `KERNBASE`),
           `GRADE_TIMEOUT` (default 30 s)) is the #define's (evaluated), or
           the Makefile's default.
 links     A relative link [text](file#anchor) names a file of the tree and
           a heading of that doc.

usage:
  checkdocs.py              check this tree
  checkdocs.py --self-test  give each rule a doc that breaks it (it must
                            report one problem) and one that keeps it (none)
Python 3 standard library only."""
import fnmatch
import glob
import os
import re
import shlex
import subprocess
import sys
from collections import namedtuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC_GLOBS = ("README.md", "docs/*.md", "docs/labs/*.md")
CODE_DIRS = ("kernel", "boot", "libsys", "user", "tests", "tools", ".ci")
CODE_FILES = ("Makefile", "linker.ld")
RECEIVERS = ("kernel/fcall.asm", "kernel/sysenter.asm", "kernel/trapasm.asm", "kernel/tracesys.asm")
SYSCALL_LIST = "kernel/uapi/syscalls.h"  # the one list of the system calls

# What backticks hold that is not code. Most of it needs no list: the x86
# registers, flags and instructions the docs name occur in the .asm files,
# GDB's commands in tools/gdbinit and the tests. What is left, by category:
# x86 registers (the Intel names, either case), by rule;
X86_REGISTER = re.compile(r"(?i)e?[abcd]x|[abcd][lh]|e?(?:si|di|bp|sp|ip)|eflags|[cdefgs]s|cr[0-4]|dr[0-7]|[gil]?dtr")
# EFLAGS and CR bits and the CPU's own tables, as the Intel manual names them;
X86_NAMES = set("IF TF NT AC DF VM RF IOPL WP PG PSE SMAP TSS GDT IDT LDT MSR".split())
# system instructions the docs contrast with the ones the kernel uses;
X86_UNUSED = set("sysret lar lsl verr verw sgdt sidt".split())
# Bochs debugger commands the docs teach (the tests use most, not all);
DEBUGGER_WORDS = set("lb pb vb sreg creg dreg xp".split())
# host commands the docs tell the reader to run;
HOST_COMMANDS = {"addr2line"}
# names of other systems the docs compare with or hand over to, each
# checked by hand: ATA's command and control bit (kernel/ide.c uses their
# values), Linux's overcommit setting, Kernel Mode Linux's directory of
# trusted programs, Gradescope's autograder script.
OTHER_SYSTEMS = {"IDENTIFY", "nIEN", "overcommit_memory", "/trusted", "run_autograder"}
NOT_CODE = X86_NAMES | X86_UNUSED | DEBUGGER_WORDS | HOST_COMMANDS | OTHER_SYSTEMS

# Top-level directories of a host that are standard (the Filesystem
# Hierarchy Standard) and so name no particular machine.
FHS_DIRS = set("bin boot dev etc lib lib32 lib64 media mnt opt proc run sbin srv sys tmp usr var".split())
# Directories that are someone's own: a path under them is always a machine's.
PERSONAL_DIRS = {"home", "root"}
# The top directories of the guest's file system (tools/mkfs.py, Makefile).
GUEST_DIRS = {"bin", "test", "lib", "tmp", "lsdata", "srv"}
# Gradescope's documented autograder layout (/autograder/results/): the
# same on every Gradescope machine, which the lab docs tell teachers about.
PUBLIC_LAYOUTS = {"autograder"}

SOURCE_EXTS = (".c", ".h", ".asm", ".py", ".md", ".ld", ".ini", ".sh", ".gdb", ".dot", ".cfg")
MADE_EXTS = (".elf", ".sym", ".img", ".iso", ".inc", ".txt", ".zip", ".log", ".json", ".html", ".png", ".svg",
             ".out", ".mk")
# The trap-frame words rule frame checks: no one changes them after the
# entry (a mode switch rewrites CS and SS, so what those hold depends on
# the moment).
FRAME_FIELDS = ("err", "trapno")

Doc = namedtuple("Doc", "path lines blocks")
# A block is a paragraph, a list item, a table row, a heading or a code
# block; heads are the Headings above it, innermost first; spans its code
# spans as (line, text).
Block = namedtuple("Block", "kind line text spans heads")
Heading = namedtuple("Heading", "level line text spans")
Problem = namedtuple("Problem", "path line rule what")


# ---- reading the docs ----

SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


def code_spans(text, first_line):
    """The code spans of text as (line, content), content on one line."""
    out = []
    for m in SPAN.finditer(text):
        line = first_line + text.count("\n", 0, m.start())
        content = " ".join(m.group(2).split("\n")).strip()
        out.append((line, content.replace("\\|", "|")))
    return out


def parse_doc(path, text):
    """Split a Markdown file into blocks (see Block)."""
    lines = text.split("\n")
    blocks, heads, cur, fence = [], [], None, None

    def flush():
        nonlocal cur
        if cur:
            kind, start, body = cur
            joined = "\n".join(body)
            blocks.append(Block(kind, start, joined, code_spans(joined, start) if kind != "code" else [],
                                list(heads)))
        cur = None

    for no, line in enumerate(lines, 1):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                flush()
                fence = None
            else:
                cur[2].append(line)
            continue
        if stripped.startswith("```") or stripped.startswith("~~~"):
            flush()
            fence, cur = stripped[:3], ("code", no + 1, [])
        elif not stripped:
            flush()
        elif re.match(r"#{1,6}\s", stripped):
            flush()
            level = len(stripped) - len(stripped.lstrip("#"))
            heads = [h for h in heads if h.level < level]
            cur = ("heading", no, [stripped])
            flush()
            heads.insert(0, Heading(level, no, stripped, code_spans(stripped, no)))
        elif stripped.startswith("|"):
            flush()
            cur = ("row", no, [stripped])
            flush()
        elif LIST_ITEM.match(line):
            flush()
            cur = ("item", no, [line])
        elif cur is None:
            cur = ("para", no, [line])
        else:
            cur[2].append(line)
    flush()
    return Doc(path, lines, blocks)


def read_docs(root):
    """The docs, parsed, in a fixed order."""
    docs = []
    for pattern in DOC_GLOBS:
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            with open(path, encoding="utf-8") as f:
                docs.append(parse_doc(os.path.relpath(path, root), f.read()))
    return docs


def table_cells(row):
    """The cells of a table row, splitting on | outside code spans."""
    cells, cur, in_code, i = [], "", False, 0
    body = row.strip().strip("|") if not row.strip().endswith("\\|") else row.strip()[1:]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            cur += "\\|"
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur)
    return [c.strip() for c in cells]


# ---- reading the code ----

class Code:
    """What the checks need to know about the tree's sources."""

    def __init__(self, root):
        self.root = root
        self.tracked = tree_files(root)  # (rule issues: what the product ships)
        self.files = tree_files(root, "--cached", "--others", "--exclude-standard")  # with new files
        self.texts = {}
        for rel in code_files(root):
            with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                self.texts[rel] = f.read()
        self.all_text = "\n".join(self.texts.values())
        self.words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", self.all_text))
        self.words |= {os.path.splitext(os.path.basename(f))[0] for f in self.files}
        self.basenames = {os.path.basename(f) for f in self.files}
        self.dirs = {os.path.dirname(f) for f in self.files}
        for d in list(self.dirs):
            while d:
                d = os.path.dirname(d)
                self.dirs.add(d)
        self.defined = definitions(self.texts)
        self.defines = c_defines(self)
        self._templates = {}
        self.syscalls = set(system_calls(self)[0])
        self.mnemonics = {m.lower() for rel, text in self.texts.items() if rel.endswith(".asm")
                          for m in re.findall(r"^\s*(?:[\w.]+:\s*)?([a-z]\w*)(?=[ \t]|$)", text, re.M)}

    def code_text(self, rel):
        """The text of a source file without its comments (C, asm)."""
        text = self.texts.get(rel, "")
        if rel.endswith((".c", ".h")):
            return re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
        if rel.endswith(".asm"):
            return re.sub(r";[^\n]*", " ", text)
        return text

    def has_word(self, word):
        return word in self.words

    def has_text(self, text):
        return text in self.all_text

    def file_ending(self, path):
        """The files and directories of the tree that are path or end with
        /path (a glob)."""
        path = path.rstrip("/")
        return [f for f in self.files + sorted(self.dirs)
                if fnmatch.fnmatch(f, path) or fnmatch.fnmatch(f, "*/" + path)]

    def names_file(self, name):
        """Does the code name the file name (pattern words allowed on both
        sides: `handin-labn.zip` is named by "handin-lab$(LAB).zip")?"""
        ext = os.path.splitext(name)[1]
        if not ext:
            return self.has_text(name)
        if ext not in self._templates:
            before = re.compile(r"(?:[\w.{}%*-]|\$\((?:[^()]|\([^()]*\))*\))*$")  # with $(strip $(LAB))
            found = set()
            for m in re.finditer(re.escape(ext) + r"\b", self.all_text):
                start = max(0, m.start() - 80)
                found.add(before.search(self.all_text, start, m.start()).group(0) + ext)
            self._templates[ext] = [template_regex(t) for t in found]
        doc_glob = path_glob(name)
        if doc_glob.startswith("*."):  # `NAME.out`: any name the code gives a .out file
            return bool(self._templates[ext])
        return any(rx.pattern != ".+" + re.escape(ext) and (rx.fullmatch(name) or rx.fullmatch(doc_glob))
                   for rx in self._templates[ext])

    def resolve(self, value):
        """A number or a C constant (#define) as an int, else the text."""
        number = c_value(value, self.defines)
        return number if number is not None else value


def template_regex(template):
    """A file name as the code writes it, with its variable parts ($(VAR),
    ${VAR}, $*, %s, {name}, %, *) as wildcards, compiled."""
    var = r"\$\((?:[^()]|\([^()]*\))*\)|\$\{[^}]*\}|\$\*|%[sd]|\{[^}]*\}|%|\*|\b[A-Z]+\b"
    pieces = re.split("(%s)" % var, template.split("/")[-1])
    return re.compile("".join(".+" if re.fullmatch(var, p) else re.escape(p) for p in pieces if p))


def tree_files(root, *git_options):
    """The tree's files: what git lists (ls-files with git_options), or
    without git every file but build/."""
    try:
        r = subprocess.run(["git", "-C", root, "ls-files", "-z"] + list(git_options), capture_output=True, check=True)
        files = [f for f in r.stdout.decode().split("\0") if f]
        if files:
            return sorted(f for f in files if os.path.isfile(os.path.join(root, f)))
    except (OSError, subprocess.CalledProcessError):
        pass
    out = []
    for dirpath, dirnames, names in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", "build", "__pycache__")]
        out += [os.path.relpath(os.path.join(dirpath, n), root) for n in names]
    return sorted(out)


def code_files(root):
    """The source files the docs are checked against, relative to root."""
    out = [f for f in CODE_FILES if os.path.isfile(os.path.join(root, f))]
    for d in CODE_DIRS:
        for dirpath, dirnames, names in os.walk(os.path.join(root, d)):
            dirnames[:] = [n for n in dirnames if n != "__pycache__"]
            for n in names:
                path = os.path.join(dirpath, n)
                if n != "checkdocs.py" and not is_binary(path):
                    out.append(os.path.relpath(path, root))
    return sorted(out)


def is_binary(path):
    with open(path, "rb") as f:
        return b"\0" in f.read(4096)


DEF_PATTERNS = {
    ".c": (r"^(?:[A-Za-z_][\w \t\*]*[\s\*])?([A-Za-z_]\w*)\s*\([^;]*$",     # a function
           r"^(?:static\s+|const\s+|volatile\s+)*(?:struct\s+)?\w+[\s\*]+([A-Za-z_]\w*)\s*(?:\[.*\])?\s*[=;]",
           r"^(?:static\s+|const\s+)*(?:struct\s+)?\w+[\s\*]+([A-Za-z_]\w*)\s*\[",  # an array
           r"^\s*#\s*define\s+([A-Za-z_]\w*)",
           r"^(?:struct|union|enum)\s+([A-Za-z_]\w*)\s*\{",
           r"^\s+([A-Z_][A-Z0-9_]*)\s*(?:=[^=]|,)"),                           # an enum constant
    ".asm": (r"^([A-Za-z_.][\w.]*):", r"^\s*%i?macro\s+([A-Za-z_]\w*)", r"^\s*%i?define\s+([A-Za-z_]\w*)",
             r"^\s*([A-Za-z_]\w*)\s+equ\b"),
    ".py": (r"^\s*(?:def|class)\s+([A-Za-z_]\w*)", r"^([A-Za-z_]\w*)\s*="),
    ".ld": (r"([A-Za-z_]\w*)\s*=\s*\.",),
}
C_KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "else", "do", "case"}


def definitions(texts):
    """name -> the files that define it (see DEF_PATTERNS)."""
    defined = {}
    for rel, text in texts.items():
        ext = os.path.splitext(rel)[1]
        pats = DEF_PATTERNS.get(".c" if ext == ".h" else ext)
        if not pats:
            continue
        for line in text.split("\n"):
            for pat in pats:
                m = re.match(pat, line)
                if m and m.group(1) not in C_KEYWORDS:
                    defined.setdefault(m.group(1), set()).add(rel)
    return defined


# ---- rule names: every code name exists ----

NAME_PART = re.compile(r"^\.?[A-Za-z_][A-Za-z0-9_]*\*?$")


def is_pattern_word(word):
    """PROG, NAME, N: a word of a path or a command that the reader replaces."""
    return bool(re.fullmatch(r"[A-Z]+|\*", word))


def path_glob(path):
    """path with its pattern words as wildcards: upper-case words (NAME,
    PROG, N) and the lab number of labN, labn, lab3."""
    return re.sub(r"(?<![A-Za-z])[A-Z]+(?![a-z])|(?<=lab)(?:[nN]|\d+)(?![a-z])", "*", path)


def check_span_path(span, code):
    """A relative path: in the tree, or under build/ named by its maker."""
    if span.startswith("build/") or span.rstrip("/") == "build":
        last = [p for p in span.split("/") if p][-1]
        if last == "build" or is_pattern_word(last):
            return None
        return None if code.names_file(last) else "generated file %s: no code names %s" % (span, last)
    if code.file_ending(span) or code.file_ending(path_glob(span)):
        return None
    return "no file %s in the tree" % span


def check_guest_path(span, code):
    """An absolute path. /bin/PROG needs user/PROG.c, /test/PROG needs
    tests/progs/PROG.c, another guest path must be named by the code (the
    image is made by tools/mkfs.py and the Makefile). Host paths are not
    checked here: the standard ones are fine, the others are rule machine's."""
    parts = [p for p in span.split("/") if p]
    if not parts or parts[0] in FHS_DIRS - GUEST_DIRS or machine_path(span):
        return None
    if len(parts) == 2 and parts[0] in ("bin", "test"):
        source = ("user/%s.c" if parts[0] == "bin" else "tests/progs/%s.c") % parts[1]
        if is_pattern_word(parts[1]) or source in code.files:
            return None
        return "no program %s: no %s" % (span, source)
    if span in NOT_CODE or code.has_text(span.rstrip("/")) or is_pattern_word(parts[-1]):
        return None
    return "guest path %s: the code never names it" % span


def check_name(span, code):
    """A name, or names joined by . -> [] (): each part must exist."""
    bare = re.sub(r"\[[^\]]*\]|\([^()]*\)$|\(\)", "", span)
    parts = [p for p in re.split(r"->|(?<=\w)\.(?=\w)", bare) if p]
    for part in parts:
        if not NAME_PART.match(part):
            return None
        if part.startswith("."):
            if not code.has_text(part):
                return "%s is not in the code" % part
        elif part.endswith("*"):
            if not any(w.startswith(part[:-1]) for w in code.words):
                return "no name of the code matches %s" % part
        elif not known_word(part, code):
            return "%s is not in the code" % part
    return None


def machine_path(path):
    """Is path (absolute) one of a particular machine? (rule machine)"""
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] in PUBLIC_LAYOUTS:
        return False
    if parts[0] in PERSONAL_DIRS:
        return True
    return len(parts) >= 2 and parts[0] not in FHS_DIRS and parts[0] not in GUEST_DIRS


def known_word(word, code):
    return code.has_word(word) or word in NOT_CODE or X86_REGISTER.fullmatch(word)


def span_problem(span, code):
    """What is wrong with one code span (None: nothing, or not checked)."""
    s = span.strip()
    if not s or s == "make" or s.startswith("make "):
        return None
    m = re.match(r"^([\w./-]+\.\w+): +(\w+)(\(.*\))?$", s)
    if m:
        return span_problem(m.group(1), code) or span_problem(m.group(2), code)
    m = re.match(r"^(?:(?:struct\s+|const\s+)?\w+\s+\**)?([A-Za-z_]\w*)\(.*\);?$", s)
    if m and (" " in s):
        return check_name(m.group(1), code)
    m = re.match(r"^struct ([A-Za-z_]\w*)$", s)
    if m:
        return check_name(m.group(1), code)
    if re.search(r"\s", s):
        return words_in_command_problem(s, code)
    if re.fullmatch(r"-?(0x[0-9A-Fa-f]+|\d+)", s) or not re.search(r"[A-Za-z]", s):
        return None
    return single_word_problem(s, code)


def words_in_command_problem(s, code):
    """A span with spaces (a command, an expression, a message): only its
    compound names (with an underscore) and its paths into the tree."""
    for m in re.finditer(r"(?<![\w/.=-])([\w.*-]+/[\w./*-]*)|(?<![\w/.-])([A-Za-z]\w*_\w*|_[a-z]\w*)(?![\w/-])", s):
        path, name = m.group(1), m.group(2)
        if path and path.split("/")[0] in CODE_DIRS + ("docs", "build"):
            what = check_span_path(path.rstrip("."), code)
            if what:
                return what
        elif name and not known_word(name, code):
            return "%s is not in the code" % name
    return None


def single_word_problem(s, code):
    """span_problem for a span without spaces, by its shape."""
    if s.startswith("/"):
        return check_guest_path(s, code)
    if re.match(r"^-E[A-Z]+$", s):
        return None if code.has_word(s[1:]) else "no error %s in the code" % s
    if re.match(r"^--?[A-Za-z]", s):
        opt = s.split("=")[0]
        return None if code.has_text(opt) else "option %s is not in the code" % opt
    m = re.match(r"^([A-Za-z_][\w.-]*)=", s)
    if m:
        return None if known_word(m.group(1), code) or code.has_text(m.group(1) + "=") else \
            "option %s= is not in the code" % m.group(1)
    if "/" in s and re.match(r"^[\w.*-]+/", s):
        return check_span_path(s, code)
    m = re.fullmatch(r"[\w-]+(\.[A-Za-z]\w*)", s)
    if m and m.group(1) in SOURCE_EXTS + MADE_EXTS:
        if any(fnmatch.fnmatch(b, path_glob(s)) for b in code.basenames) or code.names_file(s):
            return None
        return "file %s: not in the tree and no code names it" % s
    if re.fullmatch(r"Ctrl-\w", s):
        return None  # a key
    if "-" in s and re.fullmatch(r"[\w.-]+", s):
        return None if code.has_text(s) else "%s is not in the code" % s
    m = re.fullmatch(r"([A-Za-z_]\w*)[+-]\d+", s)
    if m:
        return check_name(m.group(1), code)
    return check_name(s, code)


def check_names(docs, code):
    """Rule names (see the docstring). Two places are let through: a
    Challenge section, which proposes code that does not exist yet, and a
    file name the doc's own commands make (in one of its code blocks)."""
    problems = []
    for doc in docs:
        commands = "\n".join(b.text for b in doc.blocks if b.kind == "code")
        for block in doc.blocks:
            if any("challenge" in h.text.lower() for h in block.heads):
                continue
            for line, span in block.spans:
                what = span_problem(span, code)
                made_here = what and what.startswith("file ") and re.search(r"(?<![\w/])%s\b" % re.escape(span),
                                                                            commands)
                if what and not made_here:
                    problems.append(Problem(doc.path, line, "names", "`%s`: %s" % (span, what)))
    return problems


# ---- rule make: every make command names real targets ----

def makefile_lines(code):
    """The Makefile's logical lines (continuations joined)."""
    return re.sub(r"\\\n", " ", code.texts.get("Makefile", "")).split("\n")


def expand_make_vars(text, variables, depth=2):
    """text with $(VAR) replaced by the Makefile's definition, depth times."""
    for _ in range(depth):
        text = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), text)
    return text


def make_targets(code):
    """The Makefile's targets: name -> its recipe text, the Makefile's
    variables expanded (PROG_PATH); pattern ones keep %."""
    lines = makefile_lines(code)
    variables = {m.group(1): m.group(2) for m in (re.match(r"^(\w+)\s*[:?]?=\s*(.*)", l) for l in lines) if m}
    targets, current = {}, []
    for line in lines:
        if line.startswith("\t"):
            for name in current:
                targets[name] += expand_make_vars(line, variables) + "\n"
            continue
        m = re.match(r"^([^\s#:=][^:=]*?)\s*::?(?!=)", line)
        current = []
        if m and not re.match(r"^\s*(ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|export)\b", line):
            for name in m.group(1).split():
                name = name.replace("$(B)", "build")
                if not name.startswith(".") and "$" not in name:
                    targets.setdefault(name, "")
                    current.append(name)
    return targets


# make where a command starts: at the start of the line (after a "$ "
# prompt, VAR=value words and a wrapper such as sudo or /path/to/tool), or
# after ; && || | (; the words up to the end of the command follow.
MAKE_CALL = re.compile(r"(?:^\s*(?:\$\s+)?(?:(?:[A-Za-z_]\w*=\S*|sudo|env|time|/\S+)\s+)*|[;&|(]\s*)"
                       r"make((?:[ \t]+[^\s;&|#)`]+)*)(?=\s*(?:$|[;&|#)]))")


def make_goals(text):
    """The goals of each `make ...` command in text (VAR=value and options
    dropped), as (offset, goals)."""
    out = []
    text = re.sub(r"(^|\s)#.*", "", text)
    for m in MAKE_CALL.finditer(text):
        try:
            words = shlex.split(m.group(1), comments=True)
        except ValueError:
            words = m.group(1).split()
        goals = [w for w in words if "=" not in w and not w.startswith("-") and not w.startswith("'")]
        out.append((m.start(0), goals))
    return out


def goal_problem(goal, targets, code):
    """What is wrong with one goal of a make command, or None."""
    if goal in targets:
        return None
    for name, recipe in targets.items():
        if "%" not in name:
            continue
        m = re.fullmatch(re.escape(name).replace("%", "(.+)"), goal)
        if not m:
            continue
        stem = m.group(1)
        if is_pattern_word(stem) or "build/" in name:
            return None
        progs = set()
        if "/bin/$*" in recipe:
            progs.add("user/%s.c" % stem)
        if "tests/progs/$*.c" in recipe:
            progs.add("tests/progs/%s.c" % stem)
        if progs and not progs & set(code.files):
            return "`make %s`: %s boots %s, and there is no %s" % (
                goal, name, "/bin/" + stem if len(progs) == 1 else stem, " or ".join(sorted(progs)))
        return None
    return "`make %s`: the Makefile has no target %s" % (goal, goal)


def check_make(docs, code):
    """Rule make (see the docstring)."""
    targets, problems = make_targets(code), []
    for doc in docs:
        for block in doc.blocks:
            if block.kind == "code":
                places = [(block.line + n, line) for n, line in enumerate(block.text.split("\n"))]
            else:
                places = [(line, span) for line, span in block.spans if re.match(r"make\b", span)]
            for line, text in places:
                for _, goals in make_goals(text):
                    for goal in goals:
                        what = goal_problem(goal, targets, code)
                        if what:
                            problems.append(Problem(doc.path, line, "make", what))
    return problems


# ---- rule machine: no path of a particular machine ----

ABS_PATH = re.compile(r"(?<![\w.~$/:\])-])(/[A-Za-z_][\w.+-]*(?:/[\w.*+-]+)+/?)")


def check_machine(docs, code):
    """Rule machine (see the docstring): every line of every doc."""
    problems = []
    for doc in docs:
        for no, line in enumerate(doc.lines, 1):
            for m in ABS_PATH.finditer(line):
                if machine_path(m.group(1)):
                    problems.append(Problem(doc.path, no, "machine", "%s is a path of one machine" % m.group(1)))
    return problems


# ---- rule issues: no issue numbers in product files ----

ISSUE_NUMBER = re.compile(r"\bissues?\s+(?:#\s*)?\d+(?:(?:\s*,\s*|\s+and\s+)#?\d+)*", re.I)


def check_issues(docs, code):
    """Rule issues (see the docstring): every tracked text file."""
    problems = []
    for rel in code.tracked:
        path = os.path.join(code.root, rel)
        if rel == "tools/checkdocs.py" or is_binary(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for no, line in enumerate(f, 1):
                for m in ISSUE_NUMBER.finditer(line):
                    problems.append(Problem(rel, no, "issues", '"%s": the reader has no issue tracker' % m.group(0)))
    return problems


# ---- rule tests: README's test count ----

def check_test_count(docs, code):
    """Rule tests (see the docstring)."""
    cases = code.texts.get("tests/cases.ini", "")
    count = len(re.findall(r"^\[[^\]]+\]", cases, re.M))
    problems = []
    for doc in docs:
        if doc.path != "README.md":
            continue
        claims = [(no, int(m.group(1))) for no, line in enumerate(doc.lines, 1)
                  for m in re.finditer(r"\b(\d+) test cases\b", line)]
        if not claims:
            problems.append(Problem(doc.path, 1, "tests", "README states no \"N test cases\" (make test runs %d)"
                                    % count))
        for no, n in claims:
            if n != count:
                problems.append(Problem(doc.path, no, "tests", "%d test cases, but tests/cases.ini has %d sections "
                                        "(make test runs them all)" % (n, count)))
    return problems


# ---- rule syscalls: the count and the tables of system calls ----

def system_calls(code):
    """The system calls: (names in the list kernel/uapi/syscalls.h, in its
    order; {name: number})."""
    calls = re.findall(r"^SYSCALL\((\d+), (\w+),", code.texts.get(SYSCALL_LIST, ""), re.M)
    return [name for _, name in calls], {name: int(nr) for nr, name in calls}


def span_name(span):
    """The name a code span stands for: `name`, `name()`, `name(args)`."""
    m = re.match(r"^(?:\w+\s+\**)?([A-Za-z_]\w*)(?:\(.*\))?$", span.strip())
    return m.group(1) if m else None


def table_blocks(doc):
    """The tables of doc: lists of consecutive row blocks."""
    tables, cur = [], []
    for block in doc.blocks:
        if block.kind == "row":
            cur.append(block)
        elif cur:
            tables.append(cur)
            cur = []
    return tables + ([cur] if cur else [])


def check_syscalls(docs, code):
    """Rule syscalls (see the docstring)."""
    handlers, numbers = system_calls(code)
    names, last = set(handlers), max(numbers.values(), default=0)
    problems = []
    for doc in docs:
        for block in doc.blocks:
            text = " ".join(block.text.split())
            if not re.search(r"\btable\b|numbers|sysnum", text):
                continue
            for m in re.finditer(r"\b(\d+) system calls\b", text):
                if int(m.group(1)) != len(names):
                    problems.append(Problem(doc.path, block.line, "syscalls", "%s system calls: there are %d "
                                            "(kernel/uapi/syscalls.h)" % (m.group(1), len(names))))
            for m in re.finditer(r"\bnumbers 1 to (\d+)", text):
                if int(m.group(1)) != last:
                    problems.append(Problem(doc.path, block.line, "syscalls", "numbers 1 to %s: they go to %d "
                                            "(kernel/uapi/syscalls.h)" % (m.group(1), last)))
        for table in table_blocks(doc):
            listed = [span_name(s) for row in table[2:] for _, s in row.spans]
            calls = {n for n in listed if n in names}
            if len(calls) < 10 or len(calls) < 0.8 * len([n for n in listed if n]):
                continue
            missing = [n for n in handlers if n not in calls]
            extra = sorted({n for n in listed if n and n not in names})
            if missing or extra:
                problems.append(Problem(doc.path, table[0].line, "syscalls", "the table of system calls %s%s%s" % (
                    "lacks " + ", ".join(missing) if missing else "", "; " if missing and extra else "",
                    "lists non-calls " + ", ".join(extra) if extra else "")))
    return problems


# ---- rule placed: a name put in a file is defined there ----

def doc_file(span, code, base_dir=""):
    """The tree files a span names as a file (`kernel/mode.c`, `mode.c`,
    `trap.h` relative to base_dir), or []."""
    s = span.strip().rstrip(":")
    if not re.fullmatch(r"[\w./-]+\.(c|h|asm|ld|py|sh|ini)", s):
        return []
    if "/" in s and s in code.files:
        return [s]
    if base_dir and os.path.join(base_dir, s) in code.files:
        return [os.path.join(base_dir, s)]
    return [f for f in code.files if f.endswith("/" + s) or f == s]


def placement_problem(name, files, code):
    """Why name is not where the doc puts it (files), or None: it must be
    defined there, or used there (comments do not count, except in a
    linker script, which cannot include the headers and names their
    constants in comments). A header holds what it includes too
    (kernel/asmdefs.h is its includes); a system call's name stands for
    its handler sys_NAME too."""
    if not name or name in NOT_CODE or name in code.mnemonics or X86_REGISTER.fullmatch(name) or not files:
        return None
    files = with_includes(files, code)
    where = code.defined.get(name, set())
    aliases = [name] + (["sys_" + name] if name in code.syscalls else [])
    if where & set(files) or any(re.search(r"\b%s\b" % re.escape(a), code.code_text(f))
                                 for a in aliases for f in files):
        return None
    return "`%s` is not in %s%s" % (name, ", ".join(sorted(files)),
                                   " (it is defined in %s)" % ", ".join(sorted(where)) if where else "")


def with_includes(files, code):
    """files, and the tree's headers that the headers among them include."""
    out = list(files)
    for f in files:
        if f.endswith(".h"):
            for inc in re.findall(r'^#include\s+"([^"]+)"', code.texts.get(f, ""), re.M):
                path = os.path.normpath(os.path.join(os.path.dirname(f), inc))
                if path in code.texts and path not in out:
                    out.append(path)
    return out


def span_runs(cell):
    """The code spans of a table cell in runs: spans separated only by
    commas ("`kernel/trap.c`, `trap`, `double_fault`")."""
    runs, last_end = [], None
    for m in SPAN.finditer(cell):
        span = " ".join(m.group(2).split())
        if last_end is None or cell[last_end:m.start()].strip() not in ("", ","):
            runs.append([])
        runs[-1].append(span)
        last_end = m.end()
    return runs


def row_placements(block, code):
    """(line, name, files) for a table row whose first cell starts with a
    file (the source map): a name in a run that starts with files belongs
    to them, any other name to the files the first cell starts with."""
    row_files, out = None, []
    for cell in table_cells(block.text):
        for run in span_runs(cell):
            files, names = [], []
            for span in run:
                found = doc_file(span, code, os.path.dirname(files[0]) if files else "")
                if found and not names:
                    files += found
                elif span_name(span):
                    names.append(span_name(span))
            if row_files is None:
                if not files:
                    return []
                row_files = files
            out += [(block.line, name, files or row_files) for name in names]
    return out


def prose_placements(block, code):
    """(line, name, files) for `file: name`, `name` (`file`) and
    `name` in `file`."""
    out = []
    for line, span in block.spans:
        m = re.match(r"^([\w./-]+\.\w+): +([A-Za-z_]\w*)", span)
        if m:
            out.append((line, m.group(2), doc_file(m.group(1), code)))
    for m in re.finditer(r"`([A-Za-z_]\w*)(?:\(\))?` (?:\(|in )`([\w./-]+\.(?:c|h|asm))`", block.text):
        line = block.line + block.text.count("\n", 0, m.start())
        out.append((line, m.group(1), doc_file(m.group(2), code)))
    return out


def check_placed(docs, code):
    """Rule placed (see the docstring)."""
    problems = []
    for doc in docs:
        for block in doc.blocks:
            places = prose_placements(block, code)
            if block.kind == "row":
                places += row_placements(block, code)
            for line, name, files in places:
                what = placement_problem(name, files, code)
                if what:
                    problems.append(Problem(doc.path, line, "placed", what))
    return problems


# ---- rule frame: the values each receiver pushes into the trap frame ----

def asm_pushes(text):
    """The frame words an assembly file pushes: (field, value, macro) for
    each `push X ; field...` line and for the last two pushes before
    `jmp alltraps` (err, then trapno)."""
    out, macro, block = [], None, []
    for line in text.split("\n"):
        code, _, comment = line.partition(";")
        m = re.match(r"\s*%macro\s+(\w+)", code)
        if m or re.match(r"\s*%endmacro", code) or re.match(r"^[\w.%]+:", code):
            macro = m.group(1) if m else (None if "%endmacro" in code else macro)
            block = []
        m = re.match(r"\s*push\s+(?:dword\s+)?(\S+)\s*$", code)
        if m:
            block.append(m.group(1))
            field = re.match(r"\s*(\w+)", comment)
            if field and field.group(1).lower() in FRAME_FIELDS:
                out.append((field.group(1).lower(), m.group(1), macro))
        if re.match(r"\s*jmp\s+alltraps\b", code):
            out += [(f, v, macro) for f, v in zip(("err", "trapno")[2 - len(block[-2:]):], block[-2:])]
            block = []
    return out


def macro_args(text, macro, index):
    """The index-th argument (1-based) of every use of the macro in text."""
    out = []
    for m in re.finditer(r"^\s*(?:[\w.]+:\s*)?%s\s+([^;\n]+)" % re.escape(macro), text, re.M):
        args = [a.strip() for a in m.group(1).split(",")]
        if len(args) >= index:
            out.append((args[index - 1], m.start()))
    return out


def pushed_values(text, value, macro, depth=0):
    """The values a push of value (maybe a macro parameter %N) can have."""
    m = re.fullmatch(r"%(\d+)", value)
    if not m:
        return {value}
    if not macro or depth > 4:
        return set()
    out = set()
    for arg, pos in macro_args(text, macro, int(m.group(1))):
        outer = [n for n in re.findall(r"^\s*%macro\s+(\w+)", text[:pos], re.M)]
        inside = outer[-1] if outer and text.rfind("%endmacro", 0, pos) < text.rfind("%macro", 0, pos) else None
        out |= pushed_values(text, arg, inside, depth + 1)
    return out


ANY = "any"  # a value the assembler computes (a %rep counter): any number


def receiver_includes(rel, code):
    """The kernel/*.inc files a receiver's assembly includes (their macros
    build its frames)."""
    incs = re.findall(r'^%include "(\w+\.inc)"', code.texts.get(rel, ""), re.M)
    return ["kernel/" + i for i in incs if "kernel/" + i in code.texts]


def receiver_text(rel, code):
    """A receiver's assembly with the files it includes in front."""
    return "\n".join([code.texts[i] for i in receiver_includes(rel, code)] + [code.texts.get(rel, "")])


def receiver_frames(code):
    """receiver file -> {field: {value: the text the assembly pushes}} for
    err and trapno, values resolved to numbers where the headers define
    them; a value the assembler computes is ANY."""
    frames = {}
    for rel in RECEIVERS:
        text = receiver_text(rel, code)
        fields = {}
        for field, value, macro in asm_pushes(text):
            for v in pushed_values(text, value, macro):
                number = code.resolve(v)
                fields.setdefault(field, {})[number if isinstance(number, int) or not v.islower() else ANY] = v
        frames[rel] = fields
    return frames


# "err 0", "trapno 0x80", "err = TF_ERR_FCALL", "0 (err)".
FRAME_CLAIM = re.compile(r"\b(err|trapno)\b\s*(?:=\s*)?(0x[0-9a-fA-F]+|\d+|[A-Z][A-Z0-9_]+)\b"
                         r"|\b(0x[0-9a-fA-F]+|\d+)\s*\((err|trapno)\)")


def block_receivers(block, code):
    """The receiver files whose code names the block (or else its nearest
    heading that names any) mentions."""
    for spans in [block.spans] + [h.spans for h in block.heads]:
        found = set()
        for _, span in spans:
            name = span.split(":")[-1].strip().rstrip("()")
            for rel in RECEIVERS:
                where = code.defined.get(name, ())
                if name in (rel, os.path.basename(rel)) or rel in where or \
                        any(f in where for f in receiver_includes(rel, code)):
                    found.add(rel)
        if found:
            return found
    return set()


def check_frame(docs, code):
    """Rule frame (see the docstring)."""
    frames, problems = receiver_frames(code), []
    for doc in docs:
        for block in doc.blocks:
            if block.kind in ("code", "heading"):
                continue
            text = block.text.replace("`", "")
            claims = [(m.start(), m.group(1) or m.group(4), m.group(2) or m.group(3))
                      for m in FRAME_CLAIM.finditer(text)]
            receivers = sorted(block_receivers(block, code)) if claims else []
            for pos, field, value in claims:
                pushed = {}
                for r in receivers:
                    pushed.update(frames[r].get(field, {}))
                if pushed and ANY not in pushed and code.resolve(value) not in pushed:
                    said = " or ".join(t if t == str(v) else "%s (%s)" % (t, v if v < 10 else hex(v))
                                       for v, t in sorted(pushed.items()))
                    where = " and ".join(os.path.basename(r) for r in receivers)
                    problems.append(Problem(doc.path, block.line + text.count("\n", 0, pos), "frame",
                                            "%s %s: %s pushes %s %s" % (field, value, where, field, said)))
    return problems


# ---- rule errno: the errors a doc lists for a system call ----

def handler_files(call, code):
    """The kernel files that define sys_CALL."""
    return [rel for rel, text in code.texts.items() if rel.startswith("kernel/") and rel.endswith(".c")
            and re.search(r"^sys_%s\(" % re.escape(call), text, re.M)]


ERRNO_ITEM = re.compile(r"\s*[-*]\s+`-(E[A-Z]+)`")


def errno_lists(doc):
    """(the block before the list, its items) for each bullet list that
    has `-EXXX` items."""
    out, items, before, intro = [], [], None, None
    for block in doc.blocks + [None]:
        if block is not None and block.kind == "item":
            if not items:
                intro = before
            items.append(block)
            continue
        if any(ERRNO_ITEM.match(i.text) for i in items):
            out.append((intro, items))
        items, before = [], block
    return out


def check_errno(docs, code):
    """Rule errno (see the docstring)."""
    problems = []
    for doc in docs:
        for intro, items in errno_lists(doc):
            spans = (intro.spans if intro else []) + (intro.heads[0].spans if intro and intro.heads else [])
            calls = sorted({span_name(s) for _, s in spans if span_name(s) in code.syscalls})
            files = sorted({f for c in calls for f in handler_files(c, code)})
            if not files:
                continue
            for item in items:
                m = ERRNO_ITEM.match(item.text)
                if m and not any(re.search(r"\b%s\b" % m.group(1), code.texts[f]) for f in files):
                    problems.append(Problem(doc.path, item.line, "errno", "-%s for %s: %s never returns it" % (
                        m.group(1), ", ".join(calls), ", ".join(files))))
    return problems


# ---- rule values: a constant's value, where a doc states it ----

UNITS = {"": 1, "bytes": 1, "byte": 1, "KiB": 1024, "MiB": 1 << 20, "GiB": 1 << 30, "s": 1}
NUMBER = r"(0x[0-9A-Fa-f]+|\d+(?:\.\d+)?)"
# `NAME` (N [unit]), `NAME` (= `OTHER`), `NAME` (default N), `NAME` = N [unit]
VALUE_CLAIM = re.compile(r"`([A-Z][A-Z0-9_]+)` *(?:\((?:= *|default )?(?:%s(?: (KiB|MiB|GiB|bytes|s))?"
                         r"|`([A-Z][A-Z0-9_]+)`)\)|= *%s(?: (KiB|MiB|GiB|bytes|byte)\b)?)" % (NUMBER, NUMBER))


def c_defines(code):
    """name -> {body} of every #define in the C sources, and name -> (params,
    body) of the function-like ones."""
    plain, funcs = {}, {}
    for rel, text in code.texts.items():
        if rel.endswith((".c", ".h")):
            text = code.code_text(rel)
            for m in re.finditer(r"^\s*#\s*define\s+(\w+)(\(([^)]*)\))?[ \t]+(.*?)\s*$", text, re.M):
                if m.group(2):
                    funcs[m.group(1)] = ([p.strip() for p in m.group(3).split(",")], m.group(4))
                else:
                    plain.setdefault(m.group(1), set()).add(m.group(4))
    return plain, funcs


def c_value(expr, defines, depth=0):
    """The integer value of a C constant expression, or None."""
    plain, funcs = defines
    if depth > 8:
        return None
    expr = re.sub(r"\(\s*(?:u?int\d+_t|unsigned|int|long)\s*\)", "", expr)
    expr = re.sub(r"\b(0x[0-9A-Fa-f]+|\d+)[uUlL]+\b", r"\1", expr)
    for name, (params, body) in funcs.items():
        for m in list(re.finditer(r"\b%s\(([^()]*)\)" % name, expr)):
            args = [x.strip() for x in m.group(1).split(",")]
            if len(args) == len(params):
                for p_, a in zip(params, args):
                    body = re.sub(r"\b%s\b" % re.escape(p_), "(%s)" % a, body)
                expr = expr.replace(m.group(0), "(%s)" % body)

    def substitute(m):
        bodies = plain.get(m.group(0), set())
        values = {c_value(b, defines, depth + 1) for b in bodies}
        return "(%d)" % values.pop() if len(values) == 1 and None not in values else m.group(0)
    expr = re.sub(r"\b[A-Za-z_]\w*\b", substitute, expr)
    if not re.fullmatch(r"[\s\dxXa-fA-F()+\-*/<>|&~]*", expr) or "**" in expr:
        return None  # not arithmetic on numbers (Python's eval gets nothing else)
    try:
        return int(eval(expr.replace("/", "//"), {"__builtins__": {}}))
    except Exception:
        return None


def make_defaults(code):
    """VAR -> the default value the Makefile gives it (VAR ?= value)."""
    makefile = code.texts.get("Makefile", "")
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\w+)\s*\?=\s*(\S+)", makefile, re.M)}


def check_values(docs, code):
    """Rule values: `NAME` (N), `NAME` = N [unit], `NAME` (= `OTHER`),
    `VAR` (default N) agree with the #define (or the Makefile's default)."""
    defines, defaults, problems = code.defines, make_defaults(code), []
    for doc in docs:
        for block in doc.blocks:
            if block.kind in ("code", "heading"):
                continue
            for m in VALUE_CLAIM.finditer(block.text):
                name = m.group(1)
                number, unit = (m.group(2), m.group(3)) if m.group(2) else (m.group(5), m.group(6))
                actual = c_value(name, defines) if name in defines[0] else None
                if actual is None and name in defaults:
                    actual = float(defaults[name])
                if actual is None:
                    continue
                said = c_value(m.group(4), defines) if m.group(4) else float(number if not number.startswith("0x")
                                                                             else int(number, 16)) * UNITS[unit or ""]
                if said is not None and said != actual:
                    line = block.line + block.text.count("\n", 0, m.start())
                    problems.append(Problem(doc.path, line, "values", "%s: the code says %s = %s" % (
                        " ".join(m.group(0).split()), name, "%g" % actual if isinstance(actual, float) else actual)))
    return problems


# ---- rule links: links between the docs land ----

def heading_anchor(heading):
    """GitHub's anchor of a Markdown heading line."""
    text = re.sub(r"^#+\s*", "", heading).replace("`", "").strip().lower()
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text))


def check_links(docs, code):
    """Rule links: a relative link [text](path#anchor) names a file of the
    tree, and its anchor a heading of that doc."""
    anchors = {doc.path: {heading_anchor(b.text) for b in doc.blocks if b.kind == "heading"} for doc in docs}
    problems = []
    for doc in docs:
        for block in doc.blocks:
            if block.kind == "code":
                continue
            for m in re.finditer(r"\]\(([^)\s]+)\)", block.text):
                target = m.group(1)
                if re.match(r"[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                path = os.path.normpath(os.path.join(os.path.dirname(doc.path), path)) if path else doc.path
                line = block.line + block.text.count("\n", 0, m.start())
                if not os.path.exists(os.path.join(code.root, path)):
                    problems.append(Problem(doc.path, line, "links", "link to %s: no such file" % target))
                elif anchor and path in anchors and anchor not in anchors[path]:
                    problems.append(Problem(doc.path, line, "links", "link to %s: %s has no heading #%s" % (
                        target, path, anchor)))
    return problems


# ---- the self-test ----

# (rule, a doc that breaks it, a doc that keeps it), checked against this
# tree's code; the issue rule's text is built so that this file holds none.
SELF_TESTS = (
    (check_names, "`frame_pin_nothing` pins", "`frame_alloc` in `kernel/kalloc.c`, `eax`, `iretd`"),
    (check_names, "`kernel/nosuch.c`", "`kernel/mode.c`, `uapi/trace.h`, `tests/progs/t_*.c`, `user/NAME.c`"),
    (check_names, "`/bin/nosuch`", "`/bin/sh`, `/test/t_walk`, `/bin/PROG`"),
    (check_names, "`-ENOSUCH`", "`-ENOENT`, `-icount`, `init=`, `LAB=3`"),
    (check_names, "`build/nosuch.bin`", "`build/kernel.elf`, `build/trace-flip.txt`, `handin-lab3.zip`"),
    (check_names, "`p->nosuch_field`", "`p->resident`, `syscalls[]`, `.tail_work`, `SEL_*`"),
    (check_make, "`make nosuch`", "`make grade LAB=3`, `make run-PROG`, `make build/method-a/kernel.elf`"),
    (check_make, "```\nmake run-no_such_prog\n```", "```\nmake run-sh   # or make run-t_rings\n```"),
    # (the bad examples are assembled: this file itself names no such path)
    (check_machine, "run `/%s/bin/emu make test`" % "work", "`/dev/pts/N`, `/bin/sh`, /test/t_walk"),
    (check_machine, "see /%s/someone/notes.txt" % "home", "see /usr/share/doc"),
    (check_syscalls, "The table has 3 system calls.", "The table has %(n)d system calls."),
    (check_syscalls, "| g | calls |\n|---|---|\n| a | %(some)s |", "| g | calls |\n|---|---|\n| a | %(all)s |"),
    (check_placed, "| file | what |\n|---|---|\n| `kernel/sysproc.c` | `sys_fork`, `make_resident` |",
     "| file | what |\n|---|---|\n| `kernel/mode.c` | `request`, `sys_switch_user` |"),
    (check_placed, "`syscall_tail` (`trap.c`)", "`syscall_tail` (`mode.c`)"),
    (check_frame, "## The receiver (`kernel/fcall.asm`)\n\nIts frame has err 0, trapno 0x80.",
     "## The receiver (`kernel/fcall.asm`)\n\nIts frame has err 1, trapno 0x80."),
    (check_frame, "`alltraps` sees 2 (err) and 0x80 (trapno).", "`alltraps` sees 0 (err) and 0x80 (trapno)."),
    (check_errno, "## `switch_user`\n\nIt returns\n\n- `-EBADF`: a bad file.\n",
     "## `switch_user`\n\nIt returns\n\n- `-ESRCH`: no such process.\n"),
    (check_values, "`KSTACK_SIZE` = 4 KiB", "`KSTACK_SIZE` = 8 KiB, `HZ` = 100, `T_SYSCALL` (0x80)"),
    (check_links, "[x](dmsm.md#no-such-heading)", "[x](dmsm.md#6-requests-switch_supervisor-and-switch_user)"),
)


def self_test():
    """Each rule fires once on a doc that breaks it and not on one that
    keeps it."""
    code = Code(ROOT)
    handlers = system_calls(code)[0]
    fill = {"n": len(handlers), "all": " ".join("`%s`" % n for n in handlers),
            "some": " ".join("`%s`" % n for n in handlers[:-1])}
    failed = 0
    for rule, bad, good in SELF_TESTS:
        for text, want in ((bad % fill if "%(" in bad else bad, 1), (good % fill if "%(" in good else good, 0)):
            docs = [parse_doc("docs/selftest.md", text)] + [d for d in read_docs(ROOT) if d.path == "docs/dmsm.md"]
            got = [p for p in rule(docs, code) if p.path == "docs/selftest.md"]
            if len(got) != want:
                failed += 1
                print("self-test: %s %s on %r: %s" % (rule.__name__, "missed" if want else "fired", text, got))
    failed += self_test_files(code)
    print("check-docs self-test: %s" % ("%d failed" % failed if failed else "OK"))
    return 1 if failed else 0


def self_test_files(code):
    """The rules that read files: issues (a tracked file) and tests (README)."""
    import copy
    import tempfile
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "notes.c"), "w") as f:
            f.write("// fixed in " + "iss" + "ues 10 and 14\n// an issue of taste\n")
        fake = copy.copy(code)
        fake.root, fake.tracked = tmp, ["notes.c"]
        got = check_issues([], fake)
        failed += [p.line for p in got] != [1]
    fake = copy.copy(code)
    fake.texts = dict(code.texts, **{"tests/cases.ini": "[a]\nx = 1\n[b]\n"})
    failed += not check_test_count([parse_doc("README.md", "boots 3 test cases")], fake)
    failed += bool(check_test_count([parse_doc("README.md", "boots 2 test cases")], fake))
    if failed:
        print("self-test: the issues or tests rule is wrong")
    return failed


# ---- running the rules ----

RULES = (check_names, check_make, check_machine, check_issues, check_test_count, check_syscalls, check_placed,
         check_frame, check_errno, check_values, check_links)


def run_rules(docs, code):
    """Every rule's problems, sorted by file and line, without duplicates."""
    problems = set()
    for rule in RULES:
        problems.update(rule(docs, code))
    return sorted(problems, key=lambda p: (p.path, p.line, p.rule, p.what))


def report(problems, out=sys.stdout):
    for p in problems:
        print("%s:%d: [%s] %s" % p, file=out)
    print("check-docs: %s" % ("%d problem%s" % (len(problems), "" if len(problems) == 1 else "s")
                              if problems else "OK"), file=out)


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if argv[1:]:
        print(__doc__[__doc__.index("usage:"):], file=sys.stderr)
        return 2
    problems = run_rules(read_docs(ROOT), Code(ROOT))
    report(problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
