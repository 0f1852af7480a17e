// System-call numbers: the ABI shared by the kernel's table (kernel/syscall.c)
// and libsys's stubs (libsys/syscall.asm, which includes this file through
// tools/h2inc). Numbers are never reused; append new calls at the end.
#ifndef UAPI_SYSNUM_H
#define UAPI_SYSNUM_H

#define SYS_exit 1
#define SYS_fork 2
#define SYS_exec 3
#define SYS_wait 4
#define SYS_getpid 5
#define SYS_getppid 6
#define SYS_kill 7
#define SYS_sleep 8
#define SYS_uptime 9
#define SYS_yield 10
#define SYS_read 11
#define SYS_write 12
#define SYS_open 13
#define SYS_close 14
#define SYS_lseek 15
#define SYS_stat 16
#define SYS_fstat 17
#define SYS_getdents 18
#define SYS_mkdir 19
#define SYS_unlink 20
#define SYS_sbrk 21
#define SYS_dup 22
#define SYS_pipe 23
#define SYS_chdir 24
#define SYS_procinfo 25
#define SYS_switch_supervisor 26
#define SYS_switch_user 27
#define SYS_modeinfo 28
#define SYS_nopromote 29
#define SYS_poweroff 30
#define SYS_vmstat 31
#define SYS_dup2 32
#define SYS_link 33
#define SYS_rename 34
#define SYS_poll 35
#define SYS_tracectl 36
#define SYS_sysinfo 37
#define NSYSCALL 38

#endif
