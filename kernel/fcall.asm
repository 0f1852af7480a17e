; The function receiver: how an Smode process enters the kernel. libsys's
; stub, running in ring 0 on the AP's own stack, does `call [MODEPAGE+MP_FCALL]`
; with the same registers as `int 0x80`: EAX = number, EBX, ECX, EDX, ESI, EDI
; = arguments; EAX returns the result and every other register is preserved.
;
; Fast path (most calls): switch to the kernel stack, call the table entry
; with the five arguments, test the process's tail_work word once, switch
; back and `ret`. No frame, no iret, no popfd, no cli/sti, no segment loads.
; Interrupts stay on: the stack-pointer test in alltraps classifies a tick
; that lands here correctly (AP stack: AP code; kernel stack: kernel code).
;
; The flags on the fast path are the program's, and that is safe:
;  - NT only matters to iretd, and the fast path never executes one; the
;    handler runs in the program's own context, whose flags swtch saves and
;    restores, so a call that sleeps leaves NT to itself. The slow path
;    below clears it before it builds a frame for trapret's iretd.
;  - TF set by the program traps at the first instruction it reaches in
;    here, while ESP is still the AP's stack: alltraps takes it for AP code
;    and trap() kills the program (vector 1). TF never single-steps the
;    kernel.
;  - AC only has an effect at CPL 3 (alignment checks); copyin and copyout
;    run at CPL 0, and this kernel does not turn SMAP on.
;  - DF: cleared by cld (the cdecl rule wants it clear at a call anyway).
;  - IF: as the program left it (ring 0 may cli; a handler keeps it).
;
; Slow path: the call needs the full trap frame (SC_FRAME: fork, exec), the
; number is bad, or tail work is pending (mode request, reschedule, kill).
; Then build the very frame `int 0x80` would have built, at the very place
; (the top of the kernel stack), and leave through trapret, which decides by
; the saved CS: a process that became Umode returns to ring 3 from here.
;
;   kernel stack while on the fast path
;   +----------------+ <- TSS.esp0
;   | reserved for   |    TF_SIZE bytes: the slot of the outermost trap frame,
;   | the trap frame |    untouched, so the slow path can still build it
;   +----------------+ <- fcall_stack
;   | ecx, edx       |    saved (the handler may clobber them)
;   | 5 arguments    |
;   +----------------+

%include "asmdefs.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
section .text

extern syscalls, curproc, fcall_stack, tss, trap, syscall_tail, trapret

; Enter the slow path: keep the program's flags for the frame at
; [fcall_stack-12], then load the kernel's: IF=0 (the frame is built with
; interrupts off), NT=0 (trapret's iretd would otherwise be a task return
; through a null back-link), TF=0, AC=0, DF=0.
%macro SLOW_PATH_FLAGS 0
    pushfd
    push FL_RESERVED1
    popfd
%endmacro

; Build the trap frame for this call at the top of the kernel stack.
; In: EBP = AP stack pointer (-> saved EBP, return address), the caller's
; EBX, ESI, EDI in place, its ECX/EDX/EFLAGS at [fcall_stack-4]/[-8]/[-12],
; EAX as the frame's EAX. Interrupts must be off.
%macro BUILD_FRAME 0
    mov esp, [tss + 4]              ; TSS.esp0
    push SEL_KDATA                  ; ss
    lea ecx, [ebp + 8]
    push ecx                        ; esp: the AP's ESP once the call has returned
    mov ecx, [fcall_stack]
    push dword [ecx - 12]           ; eflags: the program's, back at the exit
    push SEL_KCODE                  ; cs: ring 0, Smode
    push dword [ebp + 4]            ; eip: the return address in the stub
    push 0                          ; err
    push T_SYSCALL                  ; trapno
    push ds
    push es
    push fs
    push gs
    mov ebp, [ebp]                  ; the AP's EBP
    mov ecx, [fcall_stack]
    mov edx, [ecx - 8]
    mov ecx, [ecx - 4]
    pusha
%endmacro

global fcall_entry
fcall_entry:
    cld                             ; DF clear for C (the cdecl rule at any call)
    push ebp                        ; on the AP stack
global fcall_apstack_end
fcall_apstack_end:                  ; up to here the receiver is on the AP's stack,
                                    ; whatever its ESP (trap.c: double_fault)
    mov ebp, esp
    mov esp, [fcall_stack]          ; this process's kernel stack
    push ecx
    push edx
    cmp eax, NSYSCALL
    jae .needs_frame                ; bad number: the common dispatcher reports it
    test byte [syscalls + eax * SCE_SIZE + SCE_FLAGS], SC_FRAME
    jnz .needs_frame
    push edi
    push esi
    push edx
    push ecx
    push ebx
    call [syscalls + eax * SCE_SIZE + SCE_FN]
    add esp, 20
    mov ecx, [curproc]
    inc dword [ecx + P_SYSCALLS]    ; syscall() counts the slow path's calls
    cmp dword [ecx + P_TAILWORK], 0
    jne .tail_work
    pop edx
    pop ecx
    mov esp, ebp                    ; back on the AP stack
    pop ebp
    ret

.needs_frame:                       ; EAX = the number
    SLOW_PATH_FLAGS
    BUILD_FRAME
    push esp
    call trap                       ; -> syscall(): dispatch, then the tail
    add esp, 4
    jmp trapret

.tail_work:                         ; EAX = the result
    SLOW_PATH_FLAGS
    BUILD_FRAME
    sti                             ; the tail runs with interrupts on
    push esp
    call syscall_tail
    add esp, 4
    jmp trapret
