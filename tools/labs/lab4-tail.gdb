# Lab 4: the switch at the tail, seen by GDB.
#   make qemu-gdb-t_walk GDBCMDS=tools/labs/lab4-tail.gdb
# Extend it: break at getpid's stub after the switch and print $cs.
break syscall_tail if curproc->pending == 1
continue
set $tf = tf
printf "at the tail: saved cs 0x%x ss 0x%x (the frame returns to ring %d)\n", $tf->cs, $tf->ss, $tf->cs & 3
# (delete the breakpoint before finish: a tick pending as GDB steps off it
# would come back to it, and finish would stop there again)
delete
finish
printf "after it:    saved cs 0x%x ss 0x%x (ring %d), mode flag %d\n", $tf->cs, $tf->ss, $tf->cs & 3, curproc->vm.modepage->mode
