; The mode-aware system-call stubs (DMSM's system-call library).
;
; Every stub loads the number into EAX and its arguments into EBX, ECX, EDX,
; ESI, EDI, then reads the mode flag in the coexistence control area, which
; exec maps at MODEPAGE in every process, and picks the system-call form:
;   Umode process (ring 3) -> interrupt type:  int 0x80
;   Smode process (ring 0) -> function type:   call [MODEPAGE + MP_FCALL]
; The paper's process states, in one stub (docs/dmsm.md has the diagram):
;   X   in the program, before the stub
;   Y1  from the entry to the flag test: a switch here is safe (the test sees it)
;   Y2  after the test, before int/call: a switch applied here would be wrong,
;       which is why the kernel applies switches only at a system call's tail
;   Z   in the kernel
;   Y3  after the return, until the stub's ret: safe (the next call tests again)

%include "sysdefs.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
section .text

; SYSCALL name, number, argument count (0..5)
%macro SYSCALL 3
global %1
%1:
  %if %3 >= 4
    push esi
  %endif
  %if %3 >= 5
    push edi
  %endif
  %if %3 >= 1
    push ebx
  %endif
  %assign saved (%3 >= 1) + (%3 >= 4) + (%3 >= 5)
  %if %3 >= 1
    mov ebx, [esp + 4 + 4 * saved]
  %endif
  %if %3 >= 2
    mov ecx, [esp + 8 + 4 * saved]
  %endif
  %if %3 >= 3
    mov edx, [esp + 12 + 4 * saved]
  %endif
  %if %3 >= 4
    mov esi, [esp + 16 + 4 * saved]
  %endif
  %if %3 >= 5
    mov edi, [esp + 20 + 4 * saved]
  %endif
    mov eax, %2
    ; BEGIN LAB 3: the mode test (states Y1, Y2, Y3)
    cmp dword [MODEPAGE + MP_MODE], MODE_SMODE   ; Y1: the mode test
    je %%function_type
    int 0x80                                     ; Y2 -> Z (Umode)
    jmp %%back                                   ; Y3
%%function_type:
    call [MODEPAGE + MP_FCALL]                   ; Y2 -> Z (Smode)
%%back:                                          ; Y3
    ; STUB: int 0x80                                     ; every call by the interrupt receiver
    ; END LAB 3
  %if %3 >= 1
    pop ebx
  %endif
  %if %3 >= 5
    pop edi
  %endif
  %if %3 >= 4
    pop esi
  %endif
    ret
%endmacro

; CONVENTIONAL name, number, argument count (0..3): always int 0x80, no
; flag test. The paper's "FreeBSD" baseline, used only by bench.
%macro CONVENTIONAL 3
global %1
%1:
  %if %3 >= 1
    push ebx
    mov ebx, [esp + 8]
  %endif
  %if %3 >= 2
    mov ecx, [esp + 12]
  %endif
  %if %3 >= 3
    mov edx, [esp + 16]
  %endif
    mov eax, %2
    int 0x80
  %if %3 >= 1
    pop ebx
  %endif
    ret
%endmacro

SYSCALL _exit, SYS_exit, 1
SYSCALL fork, SYS_fork, 0
SYSCALL exec, SYS_exec, 2
SYSCALL $wait, SYS_wait, 1      ; $: wait is also an instruction name
SYSCALL getpid, SYS_getpid, 0
SYSCALL getppid, SYS_getppid, 0
SYSCALL kill, SYS_kill, 1
SYSCALL msleep, SYS_sleep, 1
SYSCALL uptime, SYS_uptime, 0
SYSCALL yield, SYS_yield, 0
SYSCALL read, SYS_read, 3
SYSCALL write, SYS_write, 3
SYSCALL open, SYS_open, 2
SYSCALL close, SYS_close, 1
SYSCALL lseek, SYS_lseek, 3
SYSCALL stat, SYS_stat, 2
SYSCALL fstat, SYS_fstat, 2
SYSCALL getdents, SYS_getdents, 3
SYSCALL mkdir, SYS_mkdir, 1
SYSCALL unlink, SYS_unlink, 1
SYSCALL sbrk, SYS_sbrk, 1
SYSCALL dup, SYS_dup, 1
SYSCALL dup2, SYS_dup2, 2
SYSCALL pipe, SYS_pipe, 1
SYSCALL chdir, SYS_chdir, 1
SYSCALL procinfo, SYS_procinfo, 2
SYSCALL switch_supervisor, SYS_switch_supervisor, 1
SYSCALL poll, SYS_poll, 3
SYSCALL switch_user, SYS_switch_user, 1
SYSCALL modeinfo, SYS_modeinfo, 2
SYSCALL nopromote, SYS_nopromote, 0
SYSCALL poweroff, SYS_poweroff, 1
SYSCALL vmstat, SYS_vmstat, 1
SYSCALL link, SYS_link, 2
SYSCALL rename, SYS_rename, 2
SYSCALL tracectl, SYS_tracectl, 4
SYSCALL sysinfo, SYS_sysinfo, 1

; SYSENTER name, number: the sysenter/sysexit path (kernel/sysenter.asm) for
; calls of at most one argument (EBX), Umode only; bench's second baseline.
%macro SYSENTER 2
global %1
%1:
    push ebx
    mov ebx, [esp + 8]
    mov eax, %2
    mov ecx, esp                    ; sysexit restores ESP from ECX
    mov edx, %%back                 ; ... and EIP from EDX
    sysenter
%%back:
    pop ebx
    ret
%endmacro

SYSENTER sysenter_getpid, SYS_getpid
SYSENTER sysenter_sbrk, SYS_sbrk

CONVENTIONAL conv_getpid, SYS_getpid, 0
CONVENTIONAL conv_read, SYS_read, 3
CONVENTIONAL conv_write, SYS_write, 3
CONVENTIONAL conv_sbrk, SYS_sbrk, 1

; int syscall5(int nr, int a, int b, int c, int d, int e): any call by
; number, through the same mode test.
global syscall5
syscall5:
    push esi
    push edi
    push ebx
    mov eax, [esp + 16]
    mov ebx, [esp + 20]
    mov ecx, [esp + 24]
    mov edx, [esp + 28]
    mov esi, [esp + 32]
    mov edi, [esp + 36]
    cmp dword [MODEPAGE + MP_MODE], MODE_SMODE
    je .function_type
    int 0x80
    jmp .back
.function_type:
    call [MODEPAGE + MP_FCALL]
.back:
    pop ebx
    pop edi
    pop esi
    ret
