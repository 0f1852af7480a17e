// t_exec_huge: hostile ELF images are refused at once. The test writes
// crafted executables to /huge and execs them: a segment with a 3 GiB memsz
// (inside the user range) must get -ENOMEM from the commit check before a
// single frame is taken, so nothing is paged out; segments that reach the
// stack, the control area or wrap around get -ENOEXEC. The figures of vmstat
// must be the same before and after.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_exec_huge"
#include "testlib.h"

struct elf_image { // an ELF header, one program header, a few bytes of code
    unsigned int magic;
    unsigned char class, data, version, osabi, pad[8];
    unsigned short type, machine;
    unsigned int version2, entry, phoff, shoff, flags;
    unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
    unsigned int p_type, p_off, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
    unsigned char code[16];
};

// Write an executable with one loadable segment [vaddr, vaddr + memsz) to
// /huge and exec it; returns exec's error.
static int
exec_image(unsigned int vaddr, unsigned int memsz)
{
    struct elf_image e;
    memset(&e, 0, sizeof(e));
    e.magic = 0x464C457F;
    e.class = 1, e.data = 1, e.version = 1;
    e.type = 2, e.machine = 3, e.version2 = 1;
    e.entry = vaddr;
    e.phoff = 52, e.ehsize = 52, e.phentsize = 32, e.phnum = 1;
    e.p_type = 1;
    e.p_off = 0; // the segment starts with the file (vaddr % 4096 == 0)
    e.p_vaddr = e.p_paddr = vaddr;
    e.p_filesz = sizeof(e);
    e.p_memsz = memsz;
    e.p_flags = 7;
    e.p_align = 4096;
    memset(e.code, 0xF4, sizeof(e.code)); // hlt: would fault if ever run
    unlink("/huge");
    int fd = open("/huge", O_CREAT | O_WRONLY);
    CHECK(fd >= 0, "open /huge: %d", fd);
    CHECK(write(fd, &e, sizeof(e)) == sizeof(e), "write /huge");
    close(fd);
    char *args[] = {"huge", 0};
    return exec("/huge", args);
}

int
main(void)
{
    struct vmstat before = vm(); // (the file /huge will hold one frame until unlinked)
    int r = exec_image(0x00400000, 0xBF000000); // 3 GiB - 16 MiB: fits below UHEAPMAX
    struct vmstat after = vm();
    printf("t_exec_huge: 3 GiB memsz: %d; page-outs %u -> %u, free frames %u -> %u\n", r,
           before.pageouts, after.pageouts, before.free_frames, after.free_frames);
    CHECK(r == -ENOMEM, "exec of a 3 GiB image: %d, want -ENOMEM", r);
    CHECK(after.pageouts == before.pageouts && after.swap_used == before.swap_used,
          "exec paged out %u pages", after.pageouts - before.pageouts);
    r = exec_image(0xBFFE0000, 0x1000); // in the stack's reservation
    CHECK(r == -ENOEXEC, "segment on the stack: %d, want -ENOEXEC", r);
    r = exec_image(0xBFFFF000, 0x1000); // the control area
    CHECK(r == -ENOEXEC, "segment on the control area: %d, want -ENOEXEC", r);
    r = exec_image(0x00400000, 0xFFFFF000); // wraps around
    CHECK(r == -ENOEXEC, "wrapping segment: %d, want -ENOEXEC", r);
    r = exec_image(0x00400000, 0xBFC00000); // reaches past UHEAPMAX
    CHECK(r == -ENOEXEC, "segment past UHEAPMAX: %d, want -ENOEXEC", r);
    CHECK(unlink("/huge") == 0, "unlink /huge");
    struct vmstat end = vm();
    CHECK(end.free_frames == before.free_frames && end.committed == before.committed,
          "not given back: free %u -> %u, commit %u -> %u", before.free_frames, end.free_frames,
          before.committed, end.committed);
    echo_still_works("t_exec_huge: exec still works");
    pass();
}
