; The traced twins of the three system-call entries: the same steps with
; the trace's entry and exit events (kernel/trace.c) around the handler.
; trace.c switches to them when the trace starts recording system calls
; (the gate of vector 0x80, every control area's receiver address, the
; SYSENTER_EIP MSR) and back when it stops, so the untraced entries in
; trapasm.asm, fcall.asm and sysenter.asm pay nothing for the trace.

%include "asmdefs.inc"
%include "fcall.inc"
%include "sysenter.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
section .text

extern alltraps, trapret, syscalls, curproc, fcall_stack, tss, trap, syscall_tail, panic
extern trace_sys, trace_sysret, trace_sysret_tf
extern sysenter_exit, sysenter_bad, sysenter_slow

; The interrupt receiver's twin (vector 0x80's gate while traced): the same
; frame, marked by its trapno; trap() hands it to the trace.
global vector_syscall_traced
vector_syscall_traced:
    push 0                          ; err
    push T_SYSCALL_TRACED           ; trapno
    jmp alltraps

; The function receiver's twin: fcall_entry's steps (fcall.asm), with the
; events around the handler on the fast path. C calls clobber EAX, ECX,
; EDX: the number and the result wait on the stack meanwhile.
global fcall_entry_traced
fcall_entry_traced:
    FCALL_ENTER fcall_traced_apstack_end
    cmp eax, NSYSCALL
    jae .frame                      ; trap() records these (receiver "slow")
    test byte [syscalls + eax * SCE_SIZE + SCE_FLAGS], SC_FRAME
    jz .fast
.frame:                             ; EAX = the number
    FCALL_FRAME T_SYSCALL_TRACED
    push esp                        ; struct trapframe *
    call trap
    add esp, 4
    jmp trapret

.tail:                              ; EAX = the result
    FCALL_FRAME T_SYSCALL
    sti                             ; the tail runs with interrupts on
    push esp                        ; struct trapframe *
    call syscall_tail
    call trace_sysret_tf            ; (the same frame argument)
    add esp, 4
    jmp trapret

.fast:
    push eax                        ; the number
    push ebx                        ; the first argument
    push 0                          ; from ring 0
    push eax
    push TR_RECV_FAST
    call trace_sys
    add esp, 16
    mov eax, [esp]
    push edi
    push esi
    push dword [esp + 12]           ; the caller's EDX, saved above
    push dword [esp + 20]           ; ... and its ECX
    push ebx
    call [syscalls + eax * SCE_SIZE + SCE_FN]
    add esp, 24                     ; the arguments and the number
    mov ecx, [curproc]
    inc dword [ecx + P_SYSCALLS]
    cmp dword [ecx + P_TAILWORK], 0
    jne .tail
    push eax                        ; the result
    push TR_EXIT_RET
    push 0                          ; back to ring 0
    push eax
    call trace_sysret
    add esp, 12
    pop eax
    pop edx
    pop ecx
    mov esp, ebp                    ; back on the AP stack
    pop ebp
    ret

; sysenter's twin (the SYSENTER_EIP MSR while traced): sysenter_entry's
; steps (sysenter.asm); sysenter_tail records the exit of a call that
; leaves by the slow path.
global sysenter_entry_traced
sysenter_entry_traced:
    SYSENTER_SAVE
    push eax
    push ebx                        ; the argument
    push 3                          ; from ring 3
    push eax
    push TR_RECV_SYSENTER
    call trace_sys
    add esp, 16
    pop eax
    cmp eax, NSYSCALL
    jae sysenter_bad
    test byte [syscalls + eax * SCE_SIZE + SCE_FLAGS], SC_FRAME
    jnz sysenter_bad
    SYSENTER_CALL sysenter_slow
    push eax
    push TR_EXIT_SYSEXIT
    push 3                          ; back to ring 3
    push eax
    call trace_sysret
    add esp, 12
    pop eax
    jmp sysenter_exit
