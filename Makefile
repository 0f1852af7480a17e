# The DMSM teaching OS: the one entry point for building, running,
# debugging, testing and benchmarking. `make help` lists the targets.

# ---- toolchain: i686-elf-gcc if present, else Debian's i686-linux-gnu ----
ifeq ($(origin CROSS),undefined)
  CROSS := $(if $(shell command -v i686-elf-gcc 2>/dev/null),i686-elf-,i686-linux-gnu-)
endif
CC      := $(CROSS)gcc
LD      := $(CROSS)ld
AR      := $(CROSS)ar
NM      := $(CROSS)nm
STRIP   := $(CROSS)strip
OBJDUMP := $(CROSS)objdump
NASM    := nasm
PYTHON  := python3
QEMU    := qemu-system-i386

# ---- knobs ----
MEM     ?= 128        # guest RAM in MiB (run, test and bench targets)
TIMEOUT ?= 60         # seconds before the test harness gives up on one boot
JOBS    ?= 2          # emulators the harness runs at once (the machine has 2 cores)
SWAP    ?= 32         # swap disk size in MiB (build/swap.img)
ARGS    ?=            # arguments for make run-PROG
CMDLINE ?=            # extra kernel command-line words for make run
LAB     ?= $(shell cat .lab 2>/dev/null)  # the lab for make grade/handout/handin (a handout knows its own)
T       ?=            # make grade: only this test (or several, comma-separated)
SEED    ?=            # make grade: only this tickseed for the seeded tests (replays a failure)
GRADE_TIMEOUT  ?= 30  # seconds a lab test may take on the reference machine
GRADE_REF_BOOT ?= 0.6 # seconds a test=banner boot takes there; slower machines scale timeouts up
GDBCMDS ?=            # make qemu-gdb-PROG: a GDB command file to run after connecting
NETPORT ?= 8080       # make run*, qemu-gdb*: host port 127.0.0.1:NETPORT forwards to the guest's port 80

B := build
# Quiet by default: one line per step. `make V=1` shows the full commands.
Q := $(if $(V),,@)
say = $(if $(V),,@echo "  $(1)	$(2)")

.DEFAULT_GOAL := all

# ---- the tools, before anything is computed from them ----
# The goals that install missing packages first (tools/deps.sh, apt-get);
# every other goal that builds only checks, and stops at once with one line
# when a tool is missing. help, clean and check-docs need no tools.
INSTALL_GOALS := run run-% test bench qemu-gdb qemu-gdb-% bochs bochs-% gdb deps \
  grade handout handin check-labs check-firstrun timeline check-timeline figures
NO_TOOLS_GOALS := help clean check-docs
BUILD_GOALS := $(filter-out $(NO_TOOLS_GOALS),$(or $(MAKECMDGOALS),all))
INSTALL_FIRST := $(filter $(INSTALL_GOALS),$(BUILD_GOALS))
ifneq ($(BUILD_GOALS),)
  ifeq ($(INSTALL_FIRST),)
    TOOLS_MISSING := $(shell tools/deps.sh --missing)
    ifneq ($(TOOLS_MISSING),)
      $(error missing: $(TOOLS_MISSING); `make deps` installs them (make run and make test do it first))
    endif
  endif
  # What the build needs to know about the compiler is probed into
  # $(B)/tools.mk by its rule below, which for the install goals runs
  # tools/deps.sh first. When the probe's result changes (for instance
  # because deps just installed the compiler), make rereads this Makefile
  # with the new values before it builds anything ("remaking makefiles").
  include $(B)/tools.mk
endif
$(B)/tools.mk: FORCE
	@mkdir -p $(@D)
	@$(if $(INSTALL_FIRST),tools/deps.sh)
	@{ echo "# made by make: what the compiler $(CC) says (do not edit)"; \
	  echo "GCC_INC := $$($(CC) -print-file-name=include 2>/dev/null)"; \
	  echo "LIBGCC := $$($(CC) -print-libgcc-file-name 2>/dev/null)"; } > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@

# A recipe that fails leaves no output behind (make deletes the target), and
# a pipeline fails when any command in it fails, not only the last one: so a
# generator that fails never leaves an empty or half-written file that a
# later make would take as up to date.
.DELETE_ON_ERROR:
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

COMMON_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -ffreestanding -fno-builtin \
  -fno-pie -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
  -nostdinc -isystem $(GCC_INC) -Wall -Wextra -Werror
KCFLAGS := $(COMMON_CFLAGS) -fno-omit-frame-pointer -mgeneral-regs-only -Ikernel $(KDEFS)
UCFLAGS := $(COMMON_CFLAGS) -Ilibsys/include
NASMFLAGS := -f elf32 -g -F dwarf -I$(B)/ -Ikernel/

# ---- sources ----
KERNEL_C   := $(wildcard kernel/*.c)
KERNEL_ASM := boot/entry.asm $(wildcard kernel/*.asm)
KERNEL_OBJ := $(KERNEL_C:%.c=$(B)/%.o) $(KERNEL_ASM:%.asm=$(B)/%.o)
LIBSYS_C   := $(wildcard libsys/*.c)
LIBSYS_OBJ := $(LIBSYS_C:%.c=$(B)/%.o) $(B)/libsys/syscall.o        # libsys.a (static)
LIBSYS_PIC := $(LIBSYS_C:%.c=$(B)/pic/%.o) $(B)/libsys/syscall.o    # libsys.so
USER_PROGS := $(patsubst user/%.c,$(B)/user/%,$(wildcard user/*.c))
TEST_PROGS := $(patsubst tests/progs/%.c,$(B)/tests/%,$(wildcard tests/progs/*.c))
# Programs are linked against the shared library (/lib/libsys.so); these
# also get a static build, NAME-static, for the benchmarks.
STATIC_PROGS := $(patsubst %,$(B)/user/%-static,bench true sleep)
# Programs built for the conventional library (version 1: its system-call stubs int 0x80 only,
# the same names and soname), kept as binaries in /test/old/: NAME linked
# against its libsys.so, NAME-static against its libsys.a.
OLD_PROGS := $(foreach p,$(patsubst tests/old/%.c,%,$(wildcard tests/old/*.c)),$(B)/old/$(p) $(B)/old/$(p)-static)

.PHONY: all deps FORCE run run-nox qemu-gdb gdb bochs iso test bench clean help check-firstrun \
  timeline check-timeline figures \
  grade handout handin check-labs check-docs

# Intermediate files make would otherwise delete after use.
.PRECIOUS: $(B)/libsys/crt0.o $(B)/user/%.o $(B)/tests/%.o $(B)/old/%.o

# (the programs are named here so that make keeps them: GDB and the Bochs
# walkthrough want their symbols)
all: $(B)/kernel.elf $(B)/fs.img $(B)/dmsm.iso $(B)/swap.img $(USER_PROGS) $(TEST_PROGS) \
  $(STATIC_PROGS) $(OLD_PROGS) $(B)/libsys.so

help:
	@echo "make / make all     build the kernel, the programs, the ISO and the swap disk"
	@echo "make run            boot to the shell in QEMU (window if there is a display)"
	@echo "make run-nox        the same with the console on this terminal"
	@echo "                    (run*, qemu-gdb*: an e1000 on isolated user networking; the guest's"
	@echo "                    port 80 is 127.0.0.1:NETPORT [8080]; frames in build/net.pcap)"
	@echo "make run-PROG       boot straight into PROG (/test/PROG or /bin/PROG) [ARGS='a b'] [MEM=MiB]"
	@echo "make test           run the whole test suite headless"
	@echo "make grade LAB=n    grade lab n (docs/labs/): points, Score: x/y [T=test] [SEED=s]"
	@echo "make handout LAB=n  the student tree of lab n in build/handout/labn (a git repository)"
	@echo "make handin         zip your committed lab work (refuses with uncommitted changes)"
	@echo "make check-labs     prove the labs: full tree y/y, handouts less, every block needed"
	@echo "make bochs-PROG     Bochs booting straight into PROG [ARGS=..], console on this terminal"
	@echo "                    (an e1000 on Bochs's slirp, restricted; port 80 is 127.0.0.1:NETPORT)"
	@echo "make qemu-gdb-PROG  QEMU + GDB in one command, booting into PROG [GDBCMDS=file]"
	@echo "make qemu-gdb       QEMU waiting for GDB; then 'make gdb' in another terminal"
	@echo "make gdb            GDB connected to that QEMU, stopped at kmain"
	@echo "make bochs          Bochs with its internal debugger and kernel symbols"
	@echo "make iso            the GRUB ISO build/dmsm.iso"
	@echo "make bench          measure system calls, write docs/bench.md"
	@echo "make check-firstrun simulate a first run without the tools (CI runs it)"
	@echo "make check-docs     check the docs against the sources: names, make targets, counts,"
	@echo "                    paths (tools/checkdocs.py; needs no build, CI runs it)"
	@echo "make timeline [SCENARIO=flip|manager|paging|dfkill]  boot with the event trace on,"
	@echo "                    draw it: build/timeline.html (docs/debugging.md)"
	@echo "make check-timeline render that page in headless Chromium and check it (CI runs it)"
	@echo "make figures        the docs' diagrams: docs/figures/*.dot -> *.svg (Graphviz)"
	@echo "make deps           install the packages the build needs (Debian/Ubuntu)"
	@echo "make compile_commands.json   for editors and clangd"
	@echo "make clean          remove build/"

# (tools/deps.sh runs from $(B)/tools.mk's rule above for every install
# goal, this one included, before anything is computed from the tools)
deps:
	@:

# ---- generated assembly constants ----
# (the system-call numbers come from the one list, kernel/uapi/syscalls.h:
# C reads it with the preprocessor, tools/mksyscalls.py for NASM)
SYSCALL_LIST := kernel/uapi/syscalls.h
$(B)/asmdefs.inc: kernel/asmdefs.h kernel/*.h kernel/uapi/*.h tools/h2inc.py tools/mksyscalls.py
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q){ $(CC) $(KCFLAGS) -E -dM kernel/asmdefs.h | $(PYTHON) tools/h2inc.py KERNBASE AP_STACK_TOP PTE_ CR0_ CR4_ \
	  SEL_ SELECTOR GDT_ DPL_ TF_ T_ FL_ SC_ SCE_ P_TAILWORK P_MODE P_SYSCALLS MODEPAGE MP_ MODE_ \
	  ENOSYS TR_ FCALL_ && $(PYTHON) tools/mksyscalls.py numbers $(SYSCALL_LIST); } > $@
$(B)/sysdefs.inc: $(B)/asmdefs.inc
	$(Q)cp $< $@
$(B)/sysstubs.inc: $(SYSCALL_LIST) tools/mksyscalls.py
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)$(PYTHON) tools/mksyscalls.py stubs $(SYSCALL_LIST) > $@

# ---- kernel ----
$(B)/kernel/%.o: kernel/%.c | $(B)/asmdefs.inc
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(KCFLAGS) -MMD -c $< -o $@
$(B)/kernel/%.o: kernel/%.asm kernel/*.inc $(B)/asmdefs.inc
	@mkdir -p $(@D)
	$(call say,AS,$<)
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@
$(B)/boot/%.o: boot/%.asm $(B)/asmdefs.inc
	@mkdir -p $(@D)
	$(call say,AS,$<)
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

# Two links: the second adds the symbol table of the first (.ksyms sits
# after .text, so no function moves; the check below proves it).
LDFLAGS_K := -m elf_i386 -T linker.ld -nostdlib --build-id=none
$(B)/kernel.pass1.elf: $(KERNEL_OBJ) linker.ld
	$(call say,LD,$@ (first link))
	$(Q)$(LD) $(LDFLAGS_K) -o $@ $(KERNEL_OBJ) $(LIBGCC)
$(B)/ksyms.asm: $(B)/kernel.pass1.elf tools/mksyms.py
	$(call say,SYMS,$@)
	$(Q)$(NM) -n $< | $(PYTHON) tools/mksyms.py > $@
$(B)/ksyms.o: $(B)/ksyms.asm
	$(call say,AS,$<)
	$(Q)$(NASM) -f elf32 $< -o $@
$(B)/kernel.elf: $(B)/kernel.pass1.elf $(B)/ksyms.o
	$(call say,LD,$@)
	$(Q)$(LD) $(LDFLAGS_K) -o $@ $(KERNEL_OBJ) $(B)/ksyms.o $(LIBGCC)
	@$(NM) -n $(B)/kernel.pass1.elf | awk '$$2 ~ /^[tT]$$/' > $(B)/syms1.txt
	@$(NM) -n $@ | awk '$$2 ~ /^[tT]$$/' > $(B)/syms2.txt
	@cmp -s $(B)/syms1.txt $(B)/syms2.txt || { echo "kernel.elf: functions moved between links"; exit 1; }
	$(call say,GEN,$(B)/kernel.sym $(B)/kernel.asm)
	$(Q)$(NM) -n $@ | awk '$$2 ~ /^[tT]$$/ { print $$1, $$3 }' > $(B)/kernel.sym
	$(Q)$(OBJDUMP) -d -S -M intel $@ > $(B)/kernel.asm

# ---- libsys and programs ----
$(B)/libsys/%.o: libsys/%.c libsys/include/*.h kernel/uapi/*.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@
$(B)/libsys/%.o: libsys/%.asm $(B)/sysdefs.inc $(B)/sysstubs.inc
	@mkdir -p $(@D)
	$(call say,AS,$<)
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@
$(B)/libsys.a: $(LIBSYS_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^
# The shared library: position-independent C (the stubs in syscall.asm have
# no absolute address in them), every symbol bound inside it (-Bsymbolic:
# only RELATIVE relocations are left), all bound at load (-z now), a SysV
# hash table for the kernel's linker, and no relocation in its text (-z
# text), which every process shares. -z norelro keeps the GOT with the data,
# in the one private page each process gets (RELRO would take a second).
$(B)/pic/libsys/%.o: libsys/%.c libsys/include/*.h kernel/uapi/*.h
	@mkdir -p $(@D)
	$(call say,CC,$< (PIC))
	$(Q)$(CC) $(UCFLAGS) -fPIC -c $< -o $@
SOFLAGS := -m elf_i386 -shared -soname libsys.so -Bsymbolic -z now -z text -z norelro --hash-style=sysv \
  -z max-page-size=4096 --build-id=none
$(B)/libsys.so: $(LIBSYS_PIC)
	$(call say,LD,$@)
	$(Q)$(LD) $(SOFLAGS) -o $@ $^ $(LIBGCC)
# The conventional library, version 1: the same C, CONVENTIONAL stubs.
$(B)/old/libsys/syscall.o: libsys/syscall.asm $(B)/sysdefs.inc $(B)/sysstubs.inc
	@mkdir -p $(@D)
	$(call say,AS,$< (conventional))
	$(Q)$(NASM) $(NASMFLAGS) -DLIBSYS_CONVENTIONAL $< -o $@
$(B)/old/libsys.a: $(LIBSYS_C:%.c=$(B)/%.o) $(B)/old/libsys/syscall.o
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^
$(B)/old/libsys.so: $(LIBSYS_C:%.c=$(B)/pic/%.o) $(B)/old/libsys/syscall.o
	$(call say,LD,$@)
	$(Q)$(LD) $(SOFLAGS) -o $@ $^ $(LIBGCC)

ULDFLAGS := -m elf_i386 -T libsys/user.ld -nostdlib --build-id=none -z max-page-size=4096
DLDFLAGS := -m elf_i386 -T libsys/user-dyn.ld -nostdlib --build-id=none -z max-page-size=4096 \
  --hash-style=sysv -z now --no-dynamic-linker
PROG_DEPS := $(wildcard user/*.h) $(B)/libsys/crt0.o libsys/include/*.h libsys/user.ld libsys/user-dyn.ld
# $(call link_dyn,OBJ,LIBRARY) and $(call link_static,OBJ,ARCHIVE): link $@
link_dyn = $(LD) $(DLDFLAGS) -o $@ $(B)/libsys/crt0.o $(1) $(2) $(LIBGCC)
link_static = $(LD) $(ULDFLAGS) -o $@ $(B)/libsys/crt0.o $(1) $(2) $(LIBGCC)
$(B)/user/%.o: user/%.c $(PROG_DEPS)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@
$(B)/user/%-static: $(B)/user/%.o $(B)/libsys.a
	$(call say,LD,$@ (static))
	$(Q)$(call link_static,$<,$(B)/libsys.a)
$(B)/user/%: $(B)/user/%.o $(B)/libsys.so
	$(call say,LD,$@)
	$(Q)$(call link_dyn,$<,$(B)/libsys.so)
$(B)/tests/%.o: tests/progs/%.c tests/progs/*.h $(PROG_DEPS)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@
$(B)/tests/%: $(B)/tests/%.o $(B)/libsys.so
	$(call say,LD,$@)
	$(Q)$(call link_dyn,$<,$(B)/libsys.so)
$(B)/old/%.o: tests/old/%.c $(PROG_DEPS)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@
$(B)/old/%-static: $(B)/old/%.o $(B)/old/libsys.a
	$(call say,LD,$@ (static, conventional library))
	$(Q)$(call link_static,$<,$(B)/old/libsys.a)
$(B)/old/%: $(B)/old/%.o $(B)/old/libsys.so
	$(call say,LD,$@ (conventional library))
	$(Q)$(call link_dyn,$<,$(B)/old/libsys.so)

# ---- the file-system image and the ISO ----
# Programs go into the image stripped; build/user/NAME keeps the symbols for GDB.
FS_BIN  := $(patsubst $(B)/user/%,$(B)/fsroot/bin/%,$(USER_PROGS) $(STATIC_PROGS))
FS_TEST := $(patsubst $(B)/tests/%,$(B)/fsroot/test/%,$(TEST_PROGS)) \
  $(patsubst $(B)/old/%,$(B)/fsroot/test/old/%,$(OLD_PROGS))
FS_LIB  := $(B)/fsroot/lib/libsys.so
# malformed binaries for the linker to refuse (tools/mkbadelf.py, t_badelf)
BAD_PROGS := nolib reltype copyrel nosym pastfile badname badsym notelf loop textrel shortlib
BAD_LIBS  := libtxt.so liblpa.so liblpb.so libtrl.so libsht.so
FS_BAD    := $(BAD_PROGS:%=$(B)/bad/test/bad/%) $(BAD_LIBS:%=$(B)/bad/lib/%)
$(FS_BAD) &: $(B)/user/true $(B)/libsys.so tools/mkbadelf.py
	$(call say,GEN,$(B)/bad)
	$(Q)$(PYTHON) tools/mkbadelf.py $(B)/user/true $(B)/libsys.so $(B)/bad
$(B)/fsroot/bin/%: $(B)/user/%
	@mkdir -p $(@D)
	$(Q)$(STRIP) -o $@ $<
$(B)/fsroot/test/%: $(B)/tests/%
	@mkdir -p $(@D)
	$(Q)$(STRIP) -o $@ $<
$(B)/fsroot/test/old/%: $(B)/old/%
	@mkdir -p $(@D)
	$(Q)$(STRIP) -o $@ $<
$(B)/fsroot/lib/libsys.so: $(B)/libsys.so
	@mkdir -p $(@D)
	$(Q)$(STRIP) --strip-unneeded -o $@ $<
$(B)/fs.img: $(FS_BIN) $(FS_TEST) $(FS_LIB) $(FS_BAD) tools/mkfs.py
	$(call say,MKFS,$@)
	$(Q)$(PYTHON) tools/mkfs.py $@ $(foreach p,$(FS_BIN) $(FS_TEST) $(FS_LIB),$(p:$(B)/fsroot%=%)=$(p)) \
	  $(foreach p,$(FS_BAD),$(p:$(B)/bad%=%)=$(p))

$(B)/dmsm.iso: $(B)/kernel.elf $(B)/fs.img tools/grub.cfg
	@mkdir -p $(B)/iso/boot/grub
	$(Q)cp $(B)/kernel.elf $(B)/fs.img $(B)/iso/boot/
	$(Q)cp tools/grub.cfg $(B)/iso/boot/grub/grub.cfg
	$(call say,ISO,$@)
	$(Q)grub-mkrescue --install-modules="multiboot normal" --locales= --fonts= --themes= \
	  -o $@ $(B)/iso >$(B)/grub-mkrescue.log 2>&1 || { cat $(B)/grub-mkrescue.log; exit 1; }

# The swap disk: whole cylinders of 16 heads x 63 sectors, so that Bochs
# accepts the flat image as it is.
CYL_BYTES := 516096
# (build/swap.size remembers SWAP, so that changing it makes a new image)
FORCE:
$(B)/swap.size: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(strip $(SWAP))" ] || echo "$(strip $(SWAP))" > $@
$(B)/swap.img: $(B)/swap.size
	$(call say,SWAP,$@ ($(strip $(SWAP)) MiB))
	$(Q)rm -f $@
	$(Q)truncate -s $$(( ( ($(strip $(SWAP)) * 1048576 + $(CYL_BYTES) - 1) / $(CYL_BYTES) ) * $(CYL_BYTES) )) $@

# The method (a) kernel, for the Y2 lesson (tests/progs/t_y2.c): the same
# sources built with DMSM_METHOD_A, in a build directory of its own.
$(B)/method-a/kernel.elf: $(KERNEL_C) $(KERNEL_ASM) kernel/*.inc kernel/*.h kernel/uapi/*.h linker.ld
	$(MAKE) --no-print-directory B=$(B)/method-a KDEFS=-DDMSM_METHOD_A $(B)/method-a/kernel.elf

iso: $(B)/dmsm.iso
	@echo "built $<: boot it with 'qemu-system-i386 -cdrom $<' or 'make bochs'"

# ---- running ----
# The program make run-PROG, bochs-PROG and qemu-gdb-PROG boot into: a test
# program (tests/progs/PROG.c) is /test/PROG, any other /bin/PROG; and the
# build's copy of it with its symbols.
PROG_PATH = $(if $(wildcard tests/progs/$*.c),/test/$*,/bin/$*)
PROG_FILE = $(if $(wildcard tests/progs/$*.c),$(B)/tests/$*,$(B)/user/$*)
# $(call qemu_base,MiB): QEMU booting the kernel, build/swap.img its disk
qemu_base = $(QEMU) -m $(1) -kernel $(B)/kernel.elf -initrd $(B)/fs.img \
  -drive file=$(B)/swap.img,format=raw,if=ide,index=1 \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot
# The interactive boots (run, run-nox, run-PROG, qemu-gdb, qemu-gdb-PROG) get
# an e1000 card on QEMU's user networking, isolated (restrict=on: the guest
# reaches nothing outside; only 127.0.0.1:NETPORT on the host forwards to its
# port 80), every frame recorded in $(B)/net.pcap (Wireshark, tcpdump -r).
QEMU_NET = -netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$(strip $(NETPORT))-:80 \
  -device e1000,netdev=net0 -object filter-dump,id=dump0,netdev=net0,file=$(B)/net.pcap
QEMU_BASE = $(call qemu_base,$(strip $(MEM))) $(QEMU_NET)
# Stop with one line before anything runs when the forwarded port is taken
# (QEMU's own complaint would come later and say less). Binds as QEMU will
# (SO_REUSEADDR), and lets the socket go at once.
ifneq ($(filter run run-% qemu-gdb qemu-gdb-% bochs-%,$(MAKECMDGOALS)),)
  NETPORT_TAKEN := $(shell $(PYTHON) -c 'import socket,sys; s=socket.socket(); \
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' \
    $(strip $(NETPORT)) 2>/dev/null || echo taken)
  ifneq ($(NETPORT_TAKEN),)
    $(error port $(strip $(NETPORT)) on 127.0.0.1 is taken: try NETPORT=$(shell echo $$(( $(strip $(NETPORT)) + 1 ))))
  endif
endif
# The console: mon:stdio on a terminal (Ctrl-a x quits), plain stdio from a
# pipe (so that `printf 'ls\nexit\n' | make run-sh` works in a script).
SERIAL = $$( [ -t 0 ] && echo mon:stdio || echo stdio )
QEMU_STATUS = st=$$?; [ $$st -eq 1 ] && exit 0; [ $$st -gt 1 ] && echo "(guest powered off with status $$(( (st - 1) / 2 )))"; exit 0

run: all
	@if [ -n "$$DISPLAY" ]; then \
	  echo "QEMU window: the OS console is on the VGA screen (and mirrored here). Close the window to quit."; \
	  $(QEMU_BASE) -serial $(SERIAL) -append "$(CMDLINE)"; \
	else \
	  echo "No display: the console is this terminal. Ctrl-a x quits QEMU."; \
	  $(QEMU_BASE) -display none -serial $(SERIAL) -append "$(CMDLINE)"; \
	fi; $(QEMU_STATUS)

run-nox: all
	@echo "The console is this terminal. Ctrl-a x quits QEMU."
	@$(QEMU_BASE) -display none -serial $(SERIAL) -append "$(CMDLINE)"; $(QEMU_STATUS)

run-%: all
	@[ -t 0 ] && echo "Booting into $(PROG_PATH) $(ARGS). Ctrl-a x quits QEMU." || true
	@$(QEMU_BASE) -display none -serial $(SERIAL) -append "$(strip $(CMDLINE)) init=$(PROG_PATH) $(ARGS)"; $(QEMU_STATUS)

# ---- debugging ----
qemu-gdb: all
	@echo "QEMU is waiting for GDB on tcp::1234. Now run 'make gdb' in another terminal. Ctrl-a x quits QEMU."
	@$(QEMU_BASE) -display none -serial $(SERIAL) -append "$(CMDLINE)" -s -S; $(QEMU_STATUS)

gdb:
	@echo "GDB: connecting to QEMU (started by 'make qemu-gdb'); it stops at kmain. Type 'c' to continue."
	gdb -q -x tools/gdbinit

BOCHS_ENV = TERM=$${TERM:-dumb}
bochs: all
	@echo "Bochs: the debugger stops before the BIOS. Try: lb \"kmain\", c, sreg, r, u, q (see docs/debugging.md)."
	@sed "s|@ISO@|$(B)/dmsm.iso|; s|@MEM@|$(strip $(MEM))|; s|@LOG@|$(B)/bochs.log|; \
	  s|@SWAP@|$(B)/bochs-swap.img|; s|@SERIAL@|$(B)/bochs-serial.txt|; s|@DEBUGLOG@|$(B)/bochs-debugger.txt|" \
	  tools/bochsrc > $(B)/bochsrc
	@echo 'ldsym global "$(B)/kernel.sym"' > $(B)/bochs-init.txt
	@# a swap disk of its own (Bochs locks its images, and a killed Bochs leaves the lock)
	@rm -f $(B)/bochs-swap.img.lock; cp $(B)/swap.img $(B)/bochs-swap.img
	$(BOCHS_ENV) bochs -f $(B)/bochsrc -rc $(B)/bochs-init.txt

# One command, one terminal: Bochs booting straight into PROG (/bin/PROG, or
# /test/PROG for a test program), its debugger on this terminal, the guest's
# serial console printed here too (display: none). tools/bochs-prog.py makes
# the ISO, the disks and the bochsrc as the test harness does (tests/run.py),
# with the e1000 on Bochs's slirp, restricted, 127.0.0.1:NETPORT forwarded to
# the guest's port 80 (make bochs-httpd, then curl http://127.0.0.1:8080/README).
bochs-%: all
	@echo "Bochs booting into $(PROG_PATH) $(ARGS): the debugger stops before the BIOS; the console prints here."
	@echo "Try: lb \"syscall\", c, sreg, r, c, q (docs/debugging.md, docs/labs/). $* symbols:" \
	  $$(NM=$(NM) $(PYTHON) tools/bochs-prog.py --show $(B) $*)
	@$(BOCHS_ENV) NETPORT=$(strip $(NETPORT)) $(PYTHON) tools/bochs-prog.py $(B) $(strip $(MEM)) \
	  "$(strip $(CMDLINE)) init=$(PROG_PATH) $(ARGS)" || true

# (where the kernel maps libsys.so, the first library: LIBBASE, kernel/mmu.h)
LIBBASE = $(shell sed -n 's/^\#define LIBBASE \(0x[0-9A-Fa-f]*\)u.*/\1/p' kernel/mmu.h)
# The same for GDB: QEMU in the background waiting for it, the console
# printed on this terminal, GDB in the foreground (quit GDB: QEMU goes too).
FREE_PORT = $(PYTHON) -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
qemu-gdb-%: all
	@echo "QEMU booting into $(PROG_PATH) $(ARGS), stopped for GDB; the console prints here. 'c' runs, Ctrl-C stops, 'q' quits."
	@port=$$($(FREE_PORT)); \
	  $(QEMU_BASE) -display none -serial file:/dev/stdout -monitor none -append "$(strip $(CMDLINE)) init=$(PROG_PATH) $(ARGS)" \
	  -S -gdb tcp:127.0.0.1:$$port </dev/null & qpid=$$!; sleep 0.5; \
	  gdb -q -ex "set architecture i386" -ex "set disassembly-flavor intel" -ex "file $(B)/kernel.elf" \
	    -ex "add-symbol-file $(PROG_FILE)" -ex "add-symbol-file $(B)/libsys.so -o $(LIBBASE)" \
	    -ex "target remote 127.0.0.1:$$port" $(if $(GDBCMDS),-x $(GDBCMDS)); \
	  kill $$qpid 2>/dev/null; wait $$qpid 2>/dev/null; true

# ---- the labs (docs/labs/README.md) ----
grade: all $(B)/method-a/kernel.elf
	@[ -n "$(strip $(LAB))" ] || { echo "make grade: say which lab: make grade LAB=n (1..8)"; exit 2; }
	@NM=$(NM) $(PYTHON) tests/grade.py --lab $(strip $(LAB)) --build $(B) --mem $(strip $(MEM)) \
	  --timeout $(strip $(GRADE_TIMEOUT)) --ref-boot $(strip $(GRADE_REF_BOOT)) --test "$(strip $(T))" --seed "$(strip $(SEED))"

handout:
	@[ -n "$(strip $(LAB))" ] || { echo "make handout: say which lab: make handout LAB=n (1..8)"; exit 2; }
	$(PYTHON) tools/mklab.py handout $(strip $(LAB)) $(B)/handout/lab$(strip $(LAB))

handin:
	@[ -n "$(strip $(LAB))" ] || { echo "make handin: say which lab: make handin LAB=n"; exit 2; }
	@if [ -n "$$(git status --porcelain --untracked-files=normal)" ]; then \
	  echo "make handin: you have uncommitted changes; commit them first (git status shows them):"; \
	  git status --short; exit 1; fi
	@git archive --format=zip -o handin-lab$(strip $(LAB)).zip HEAD
	@echo "wrote handin-lab$(strip $(LAB)).zip from commit $$(git rev-parse --short HEAD): hand it in (answers-lab$(strip $(LAB)).txt is inside)"

check-labs: all $(B)/method-a/kernel.elf
	NM=$(NM) $(PYTHON) tools/checklabs.py --mem $(strip $(MEM)) --timeout $(strip $(GRADE_TIMEOUT)) \
	  --ref-boot $(strip $(GRADE_REF_BOOT)) --jobs $(strip $(JOBS)) $(LABS)

# ---- tests and benchmarks ----
test: all $(B)/method-a/kernel.elf
	NM=$(NM) $(PYTHON) tests/run.py --build $(B) --mem $(strip $(MEM)) --timeout $(strip $(TIMEOUT)) --jobs $(strip $(JOBS)) $(TESTS)

# (the benchmark's guest gets 256 MiB unless MEM is given: its malloc row
# commits about 200 MB, and the bench boots have no swap disk)
BENCH_MEM = $(if $(filter command line environment,$(origin MEM)),$(strip $(MEM)),256)
bench: all
	$(PYTHON) tools/bench.py $(B) docs/bench.md $(BENCH_MEM)
	@echo "Now read docs/bench.md (charts: docs/bench-*.svg; the workloads: docs/workloads.md)."

# The docs against the sources (tools/checkdocs.py, whose docstring has the
# rules): every code name, file and make target they mention exists, the
# counts and values they state are the code's. Python only, no build.
check-docs:
	@$(PYTHON) tools/checkdocs.py --self-test
	$(PYTHON) tools/checkdocs.py

# A first run on a new machine, simulated (tests/firstrun.py): no toolchain
# on PATH, then deps "installs" it; also every generator failing once.
check-firstrun:
	$(PYTHON) tests/firstrun.py

# ---- the event trace, drawn (kernel/trace.c, tools/timeline.py) ----
# Boots init=/bin/tracedemo SCENARIO with trace=TRACE (1: every kind, or a
# mask, kernel/uapi/trace.h) under -icount (time = guest instructions, the
# same every run), keeps the serial output in build/trace-SCENARIO.txt and
# draws build/timeline.html. The paging scenario needs little memory.
SCENARIO ?= flip
TRACE ?= 1
TL_MEM = $(if $(filter paging,$(SCENARIO)),16,$(strip $(MEM)))
TL_TRACE = $(B)/trace-$(SCENARIO).txt
timeline: all
	$(call say,BOOT,tracedemo $(SCENARIO) with trace=$(TRACE) (QEMU -icount))
	$(Q)timeout 600 $(call qemu_base,$(TL_MEM)) -nic none -display none -icount shift=0 \
	  -serial stdio -append "trace=$(TRACE) init=/bin/tracedemo $(SCENARIO)" </dev/null > $(TL_TRACE); \
	  st=$$?; [ $$st -eq 1 ] || echo "timeline: the run ended with QEMU status $$st (see $(TL_TRACE)); drawing what there is"
	$(Q)$(PYTHON) tools/timeline.py $(TL_TRACE) $(B)/timeline.html --title "DMSM event trace: scenario $(SCENARIO)"
	@echo "Open $(B)/timeline.html in a browser."

# The page in a real browser (tests/timeline_test.py): the parser's
# warnings first, then make timeline's page rendered in headless Chromium,
# its DOM checked against the trace, and a screenshot, build/timeline.png.
check-timeline: timeline
	@tools/deps.sh --browser
	$(PYTHON) tests/timeline_test.py $(B) $(TL_TRACE)

# The docs' diagrams from their Graphviz sources (the SVGs are committed).
FIGURES := $(patsubst %.dot,%.svg,$(wildcard docs/figures/*.dot))
figures:
	@tools/deps.sh --graphviz
	@$(MAKE) --no-print-directory $(FIGURES)
docs/figures/%.svg: docs/figures/%.dot
	$(call say,DOT,$@)
	$(Q)dot -Tsvg $< > $@

compile_commands.json: $(B)/asmdefs.inc
	bear --output $@ -- $(MAKE) -B $(KERNEL_OBJ) $(LIBSYS_OBJ) >/dev/null

clean:
	rm -rf $(B)

-include $(KERNEL_C:%.c=$(B)/%.d)
