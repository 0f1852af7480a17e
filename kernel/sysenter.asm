; A third way into the kernel, for measurement only: sysenter/sysexit, the
; fast system-call instructions a Pentium 4 already had (bench's second
; baseline for Umode processes). libsys's sysenter_* stubs use it.
;
; Convention: EAX = number, EBX = the only argument (calls of at most one
; argument), ECX = the program's ESP, EDX = where to return. The CPU loads
; CS/SS from SYSENTER_CS and ESP from SYSENTER_ESP, which switchuvm keeps at
; this process's fcall_stack (below the reserved frame slot), and clears IF.
; sysexit returns to ring 3 with ESP = ECX, EIP = EDX. Anything unusual
; (tail work, an Smode caller, a call needing its frame) leaves through the
; common trapret instead, with a frame built like the interrupt receiver's.

%include "asmdefs.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
section .text

extern syscalls, curproc, tss, fcall_stack, sysenter_tail, trapret
extern trace_sys, trace_sysret

; sysenter loads only CS, SS, ESP, EIP and clears only IF (and VM, RF):
; NT, DF, AC and the data segments still hold what ring 3 left. Keep the
; program's flags for the way back, and make them the kernel's. (A TF set
; by the program traps right here, before this instruction: trap() clears
; it, see the T_DEBUG case there.)
%macro ENTER 0
    pushfd                          ; at [fcall_stack-4] (SYSENTER_ESP = fcall_stack)
    push FL_RESERVED1
    popfd                           ; IF=0, NT=0, DF=0, TF=0, AC=0
    push ecx                        ; the program's ESP
    mov cx, SEL_KDATA
    mov ds, cx
    mov es, cx
    push edx                        ; its return address
%endmacro

; Call the handler of system call EAX with its one argument (EBX), with
; interrupts on; then, with them off again, go to %1 unless the fast exit
; may be taken (no tail work, a Umode caller).
%macro CALL_HANDLER 1
    sti                             ; handlers run with interrupts on
    push 0
    push 0
    push 0
    push 0
    push ebx
    call [syscalls + eax * SCE_SIZE + SCE_FN]
    add esp, 20
    cli
    mov ecx, [curproc]
    inc dword [ecx + P_SYSCALLS]
    cmp dword [ecx + P_TAILWORK], 0
    jne %1
    cmp dword [ecx + P_MODE], MODE_UMODE
    jne %1                          ; an Smode caller must not come back in ring 3
%endmacro

global sysenter_entry
sysenter_entry:
    ENTER
    cmp eax, NSYSCALL
    jae .bad
    test byte [syscalls + eax * SCE_SIZE + SCE_FLAGS], SC_FRAME
    jnz .bad
    CALL_HANDLER .slow
.exit:
    mov dx, SEL_UDATA
    mov ds, dx
    mov es, dx
    pop edx
    pop ecx
    and dword [esp], ~FL_IF
    popfd                           ; the program's flags, but IF: ...
    sti                             ; ... set here, effective after sysexit
    sysexit

.bad:
    mov eax, -ENOSYS
.slow:                              ; EAX = the result; build the frame at the top
    pop edx
    pop ecx
    mov esp, [tss + 4]              ; TSS.esp0
    push SEL_UDATA                  ; ss
    push ecx                        ; esp
    mov ecx, [fcall_stack]
    push dword [ecx - 4]            ; eflags: the program's
    push SEL_UCODE                  ; cs
    push edx                        ; eip
    push 0                          ; err
    push T_SYSCALL                  ; trapno
    push SEL_UDATA                  ; ds
    push SEL_UDATA                  ; es
    push SEL_UDATA                  ; fs
    push SEL_UDATA                  ; gs
    pusha
    push esp
    call sysenter_tail              ; the frame's selectors for the mode, then the tail
    add esp, 4
    jmp trapret

; sysenter while the trace records system calls (trace.c points the
; SYSENTER_EIP MSR here, so sysenter_entry pays nothing for the trace): the
; same path with the trace's entry and exit events (kernel/trace.c) around
; the call; sysenter_tail records the exit of a call that leaves by the
; slow path.
global sysenter_entry_traced
sysenter_entry_traced:
    ENTER
    push eax
    push ebx                        ; the argument
    push 3                          ; from ring 3
    push eax
    push TR_RECV_SYSENTER
    call trace_sys
    add esp, 16
    pop eax
    cmp eax, NSYSCALL
    jae sysenter_entry.bad
    test byte [syscalls + eax * SCE_SIZE + SCE_FLAGS], SC_FRAME
    jnz sysenter_entry.bad
    CALL_HANDLER sysenter_entry.slow
    push eax
    push TR_EXIT_SYSEXIT
    push 3                          ; back to ring 3
    push eax
    call trace_sysret
    add esp, 12
    pop eax
    jmp sysenter_entry.exit
