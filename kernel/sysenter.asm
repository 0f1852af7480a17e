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
;
;   kernel stack
;   +------------------+ <- TSS.esp0
;   | reserved slot    |  the slow path's trap frame (TF_SIZE bytes)
;   +------------------+ <- fcall_stack = SYSENTER_ESP
;   | program's ESP    |  - FCALL_ECX     the function receiver's slots
;   | return address   |  - FCALL_EDX     (fcall.asm), used the same way
;   | program's EFLAGS |  - FCALL_EFLAGS
;   +------------------+
;
; Saving the slots (SYSENTER_SAVE) and calling the handler (SYSENTER_CALL)
; are macros in sysenter.inc: the traced twin (tracesys.asm) takes the same
; steps.

%include "asmdefs.inc"
%include "sysenter.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
section .text

extern syscalls, curproc, tss, fcall_stack, sysenter_tail, trapret

global sysenter_entry, sysenter_exit, sysenter_bad, sysenter_slow
sysenter_entry:
    SYSENTER_SAVE
    cmp eax, NSYSCALL
    jae sysenter_bad
    test byte [syscalls + eax * SCE_SIZE + SCE_FLAGS], SC_FRAME
    jnz sysenter_bad
    SYSENTER_CALL sysenter_slow
sysenter_exit:                      ; the fast exit, back to ring 3 by sysexit
    mov dx, SEL_UDATA
    mov ds, dx
    mov es, dx
    and dword [esp], ~FL_IF
    popfd                           ; the program's flags, but IF: ...
    pop edx                         ; where to return
    pop ecx                         ; its ESP
    sti                             ; ... set here, effective after sysexit
    sysexit

sysenter_bad:                       ; a bad number, or a call that needs its frame
    mov eax, -ENOSYS
sysenter_slow:                      ; EAX = the result; build the frame at the top
    mov edx, [fcall_stack]          ; the slots
    mov esp, [tss + 4]              ; TSS.esp0
    push SEL_UDATA                  ; ss
    push dword [edx - FCALL_ECX]    ; esp: the program's
    push dword [edx - FCALL_EFLAGS] ; eflags: the program's
    push SEL_UCODE                  ; cs
    push dword [edx - FCALL_EDX]    ; eip: where to return
    push 0                          ; err
    push T_SYSCALL                  ; trapno
    push SEL_UDATA                  ; ds
    push SEL_UDATA                  ; es
    push SEL_UDATA                  ; fs
    push SEL_UDATA                  ; gs
    mov ecx, [edx - FCALL_ECX]      ; ECX and EDX as sysexit leaves them
    mov edx, [edx - FCALL_EDX]
    pusha
    push esp                        ; struct trapframe *
    call sysenter_tail              ; the frame's selectors for the mode, then the tail
    add esp, 4
    jmp trapret
