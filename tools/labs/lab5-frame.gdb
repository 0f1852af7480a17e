# Lab 5: a tick in ring-0 program code, and the frame alltraps moved.
#   make qemu-gdb-t_smode_hog GDBCMDS=tools/labs/lab5-frame.gdb
# Extend it: step through trapret (stepi) and watch ESP land on the AP stack.
break trap if tf->trapno == 32 && (tf->cs & 3) == 0 && tf->eip < 0xc0000000
continue
printf "tick in Smode code: eip 0x%08x cs 0x%x, AP esp 0x%08x ss 0x%x\n", tf->eip, tf->cs, tf->esp, tf->ss
printf "frame at the top of the kernel stack: %d; seen as AP code: %d\n", (unsigned)tf + sizeof(struct trapframe) == tss.esp0, tf_from_ap(tf)
