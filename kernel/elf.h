// The parts of the ELF format the loader reads (System V ABI, i386).
#ifndef ELF_H
#define ELF_H

#include <stdint.h>

#define ELF_MAGIC 0x464C457Fu // "\x7FELF", little-endian
#define ELFCLASS32 1
#define EM_386 3
#define ET_EXEC 2
#define ET_DYN 3     // a shared library
#define PT_LOAD 1
#define PT_DYNAMIC 2 // the dynamic section: the program is linked at exec (dynlink.c)
#define PF_W 2

struct elfhdr {
    uint32_t magic;
    uint8_t class, data, version, osabi, pad[8];
    uint16_t type, machine;
    uint32_t version2, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct proghdr {
    uint32_t type, off, vaddr, paddr, filesz, memsz, flags, align;
};

// The dynamic section's entries (tag, value) the kernel's linker reads.
struct dyn {
    int32_t tag;
    uint32_t val;
};
#define DT_NULL 0
#define DT_NEEDED 1   // a library's name (offset in DT_STRTAB)
#define DT_PLTRELSZ 2 // bytes of DT_JMPREL
#define DT_HASH 4     // the SysV hash table: its nchain is the symbol count
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_STRSZ 10
#define DT_SYMENT 11
#define DT_REL 17     // relocations (Elf32_Rel)
#define DT_RELSZ 18
#define DT_RELENT 19
#define DT_PLTREL 20
#define DT_TEXTREL 22 // relocations in read-only segments: refused (shared text)
#define DT_JMPREL 23  // the PLT's relocations

struct sym {
    uint32_t name, value, size;
    uint8_t info, other;
    uint16_t shndx;
};
#define SHN_UNDEF 0
#define SYM_BIND(info) ((info) >> 4)
#define STB_GLOBAL 1
#define STB_WEAK 2

struct rel {
    uint32_t offset, info;
};
#define REL_TYPE(info) ((info) & 0xFF)
#define REL_SYM(info) ((info) >> 8)
#define R_386_NONE 0
#define R_386_32 1       // S + A
#define R_386_PC32 2     // S + A - P
#define R_386_COPY 5     // not supported: programs read no library data
#define R_386_GLOB_DAT 6 // S
#define R_386_JMP_SLOT 7 // S
#define R_386_RELATIVE 8 // B + A

#endif
