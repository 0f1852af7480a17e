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

; The argument registers of a call with %1 arguments (0..5): the callee-
; saved ones it uses (EBX, ESI, EDI) go on the stack, then the cdecl
; arguments go into EBX, ECX, EDX, ESI, EDI; ARGS_OUT restores them.
%macro ARGS_IN 1
  %if %1 >= 4
    push esi
  %endif
  %if %1 >= 5
    push edi
  %endif
  %if %1 >= 1
    push ebx
  %endif
  %assign saved (%1 >= 1) + (%1 >= 4) + (%1 >= 5)
  %if %1 >= 1
    mov ebx, [esp + 4 + 4 * saved]
  %endif
  %if %1 >= 2
    mov ecx, [esp + 8 + 4 * saved]
  %endif
  %if %1 >= 3
    mov edx, [esp + 12 + 4 * saved]
  %endif
  %if %1 >= 4
    mov esi, [esp + 16 + 4 * saved]
  %endif
  %if %1 >= 5
    mov edi, [esp + 20 + 4 * saved]
  %endif
%endmacro
%macro ARGS_OUT 1
  %if %1 >= 1
    pop ebx
  %endif
  %if %1 >= 5
    pop edi
  %endif
  %if %1 >= 4
    pop esi
  %endif
%endmacro

; SYSCALL name, number, argument count (0..5): a mode-aware stub. (Typed as
; a function, so that a program linked against the shared library calls it
; through its PLT.)
%macro SYSCALL 3
global %1:function
%1:
    ARGS_IN %3
    mov eax, %2
    ; BEGIN LAB 3: the mode test (states Y1, Y2, Y3)
    ; STUB: int 0x80                                     ; every call by the interrupt receiver
    cmp dword [MODEPAGE + MP_MODE], MODE_SMODE   ; Y1: the mode test
    je %%function_type
    int 0x80                                     ; Y2 -> Z (Umode)
    jmp %%back                                   ; Y3
%%function_type:
    call [MODEPAGE + MP_FCALL]                   ; Y2 -> Z (Smode)
%%back:                                          ; Y3
    ; END LAB 3
    ARGS_OUT %3
    ret
%endmacro

; CONVENTIONAL name, number, argument count (0..5): always int 0x80, no
; flag test. The library's version 1 is made of these (a conventional
; library: LIBSYS_CONVENTIONAL, build/old/); bench also calls some, as the
; paper's "FreeBSD" baseline.
%macro CONVENTIONAL 3
global %1:function
%1:
    ARGS_IN %3
    mov eax, %2
    int 0x80
    ARGS_OUT %3
    ret
%endmacro

; One stub per system call, made from the list (kernel/uapi/syscalls.h) by
; tools/mksyscalls.py: SYSCALL stub-name, SYS_name, number of arguments.
; The conventional library (version 1, with the same names, numbers and
; soname) has CONVENTIONAL stubs in their place.
%ifdef LIBSYS_CONVENTIONAL
%define SYSCALL CONVENTIONAL
%endif
%include "sysstubs.inc"

; SYSENTER name, number: the sysenter/sysexit path (kernel/sysenter.asm) for
; calls of at most one argument (EBX), Umode only; bench's second baseline.
; sysexit returns to EDX with ESP = ECX: the inner call leaves the return
; address where pop finds it, with no absolute address in the code (the
; shared library's text is position-independent).
%macro SYSENTER 2
global %1:function
%1:
    push ebx
    mov ebx, [esp + 8]
    mov eax, %2
    call %%enter
%%back:
    pop ebx
    ret
%%enter:
    pop edx                         ; EIP for sysexit: %%back
    mov ecx, esp                    ; ESP for sysexit: as before the call
    sysenter
%endmacro

SYSENTER sysenter_getpid, SYS_getpid
SYSENTER sysenter_sbrk, SYS_sbrk

CONVENTIONAL conv_getpid, SYS_getpid, 0
CONVENTIONAL conv_read, SYS_read, 3
CONVENTIONAL conv_write, SYS_write, 3
CONVENTIONAL conv_sbrk, SYS_sbrk, 1

; int syscall5(int nr, int a, int b, int c, int d, int e): any call by
; number, through the same mode test.
global syscall5:function
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
