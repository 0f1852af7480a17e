#!/usr/bin/env python3
"""Malformed dynamically linked binaries, for the kernel's linker to refuse
(tests/progs/t_badelf.c execs each and expects exec's error, never a panic).

Each is a good binary of this build with one thing broken, patched in place
(the same length, so every other offset stays right):

  /test/bad/nolib        needs libnop.so, which /lib does not have  -ENOENT
  /test/bad/reltype      a relocation of an unknown type (42)       -ENOEXEC
  /test/bad/copyrel      a copy relocation (programs may not read library data)
  /test/bad/nosym        needs a symbol no library defines (exiT)   -ENOEXEC
  /test/bad/pastfile     its relocation table's size runs past the program
  /test/bad/badname      a library name past its string table       -ENOEXEC
  /test/bad/badsym       a relocation's symbol past the symbol table -ENOEXEC
  /test/bad/notelf       needs libtxt.so, a text file in /lib       -ENOEXEC
  /test/bad/loop         needs liblpa.so, which needs liblpb.so, which needs
                         liblpa.so                                  -ELOOP
  /test/bad/textrel      needs libtrl.so, which has text relocations -ENOEXEC
  /test/bad/shortlib     needs libsht.so, cut short in its text     -ENOEXEC

usage: mkbadelf.py PROGRAM LIBSYS OUTDIR
  PROGRAM: a dynamically linked program needing libsys.so (build/user/true);
  LIBSYS: build/libsys.so. Writes OUTDIR/test/bad/* and OUTDIR/lib/*.
Python 3 standard library only."""
import os
import struct
import sys

DT_NULL, DT_NEEDED, DT_PLTRELSZ, DT_STRTAB, DT_SYMTAB = 0, 1, 2, 5, 6
DT_SYMBOLIC, DT_TEXTREL, DT_JMPREL = 16, 22, 23
PT_LOAD, PT_DYNAMIC = 1, 2


class Elf:
    """An ELF32 image in a bytearray, with the few lookups the patches need."""

    def __init__(self, data):
        self.data = bytearray(data)
        phoff, = struct.unpack_from("<I", self.data, 28)
        phnum, = struct.unpack_from("<H", self.data, 44)
        self.phdrs = [struct.unpack_from("<8I", self.data, phoff + 32 * i) for i in range(phnum)]

    def offset(self, vaddr):
        """The file offset of vaddr (inside some PT_LOAD segment)."""
        for ptype, off, va, _, filesz, _, _, _ in self.phdrs:
            if ptype == PT_LOAD and va <= vaddr < va + filesz:
                return off + vaddr - va
        raise SystemExit("mkbadelf.py: address 0x%x is in no segment" % vaddr)

    def dynamic(self):
        """[(file offset of the entry, tag, value)] of the dynamic section."""
        dyn = [p for p in self.phdrs if p[0] == PT_DYNAMIC][0]
        out = []
        for i in range(dyn[4] // 8):
            tag, val = struct.unpack_from("<iI", self.data, dyn[1] + 8 * i)
            out.append((dyn[1] + 8 * i, tag, val))
            if tag == DT_NULL:
                break
        return out

    def tag(self, tag):
        """The value of the first dynamic entry with tag."""
        return [v for _, t, v in self.dynamic() if t == tag][0]

    def set_tag(self, old, new, value):
        """Turn the first dynamic entry tagged old into (new, value)."""
        at = [o for o, t, _ in self.dynamic() if t == old][0]
        struct.pack_into("<iI", self.data, at, new, value)

    def rename(self, old, new):
        """Replace the name old in the dynamic string table by new (same length)."""
        assert len(old) == len(new)
        strtab = self.offset(self.tag(DT_STRTAB))
        at = self.data.find(b"\0" + old.encode() + b"\0", strtab - 1) + 1
        assert at > 0, old
        self.data[at:at + len(old)] = new.encode()

    def plt_reloc(self):
        """The file offset of the PLT's first relocation."""
        return self.offset(self.tag(DT_JMPREL))


def write(path, data):
    """Write data to path, creating its directory."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def bad_programs(prog):
    """name -> the broken program's bytes."""
    out = {}

    def variant(name, patch):
        """A copy of prog with patch applied."""
        e = Elf(prog)
        patch(e)
        out[name] = bytes(e.data)
    variant("nolib", lambda e: e.rename("libsys.so", "libnop.so"))
    variant("notelf", lambda e: e.rename("libsys.so", "libtxt.so"))
    variant("loop", lambda e: e.rename("libsys.so", "liblpa.so"))
    variant("textrel", lambda e: e.rename("libsys.so", "libtrl.so"))
    variant("shortlib", lambda e: e.rename("libsys.so", "libsht.so"))
    variant("nosym", lambda e: e.rename("exit", "exiT"))
    variant("reltype", lambda e: e.data.__setitem__(e.plt_reloc() + 4, 42))
    variant("copyrel", lambda e: e.data.__setitem__(e.plt_reloc() + 4, 5))
    variant("pastfile", lambda e: e.set_tag(DT_PLTRELSZ, DT_PLTRELSZ, 0x100000))
    variant("badname", lambda e: e.set_tag(DT_NEEDED, DT_NEEDED, 0x7FFFFFF0))
    variant("badsym", lambda e: struct.pack_into("<I", e.data, e.plt_reloc() + 4,
                                                 (0xFFFF << 8) | 7))
    return out


def bad_libraries(lib):
    """name -> the broken library's bytes (in /lib)."""
    out = {"libtxt.so": b"this is not an ELF file, only its name says library\n"}

    def needing(name, needs):
        """libsys.so renamed name (its soname), needing needs."""
        e = Elf(lib)
        e.rename("libsys.so", needs)
        e.set_tag(DT_SYMBOLIC, DT_NEEDED, e.tag(0x0E))  # DT_SONAME's string: now needs
        out[name] = bytes(e.data)
    needing("liblpa.so", "liblpb.so")
    needing("liblpb.so", "liblpa.so")
    e = Elf(lib)
    e.set_tag(DT_SYMBOLIC, DT_TEXTREL, 0)
    out["libtrl.so"] = bytes(e.data)
    text = [p for p in Elf(lib).phdrs if p[0] == PT_LOAD and p[6] & 1][0]  # the R-X segment
    out["libsht.so"] = lib[:text[1] + text[4] // 2]
    return out


def main(argv):
    """Write the bad programs and libraries (see the module's usage)."""
    if len(argv) != 4:
        sys.exit(__doc__)
    with open(argv[1], "rb") as f:
        prog = f.read()
    with open(argv[2], "rb") as f:
        lib = f.read()
    for name, data in bad_programs(prog).items():
        write(os.path.join(argv[3], "test", "bad", name), data)
    for name, data in bad_libraries(lib).items():
        write(os.path.join(argv[3], "lib", name), data)


if __name__ == "__main__":
    main(sys.argv)
