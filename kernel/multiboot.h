// The parts of the multiboot v1 information structure this kernel reads.
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOT_MAGIC 0x2BADB002
#define MBI_MEM 0x001      // mem_lower/mem_upper valid
#define MBI_CMDLINE 0x004  // cmdline valid
#define MBI_MODS 0x008     // mods_count/mods_addr valid
#define MBI_MMAP 0x040     // mmap_length/mmap_addr valid

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct multiboot_module {
    uint32_t start, end;
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

struct multiboot_mmap {
    uint32_t size; // of the rest of this entry
    uint64_t addr, len;
    uint32_t type; // 1 = available RAM
} __attribute__((packed));

#endif
