// The parts of the ELF format the loader reads (System V ABI, i386).
#ifndef ELF_H
#define ELF_H

#include <stdint.h>

#define ELF_MAGIC 0x464C457Fu // "\x7FELF", little-endian
#define ELFCLASS32 1
#define EM_386 3
#define ET_EXEC 2
#define PT_LOAD 1
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

#endif
