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

extern syscalls, curproc, fcall_stack, tss, trap, syscall_tail, trapret, panic
extern trace_sys, trace_sysret, trace_sysret_tf

; Enter the slow path: keep the program's flags for the frame at
; [fcall_stack-12], then load the kernel's: IF=0 (the frame is built with
; interrupts off), NT=0 (trapret's iretd would otherwise be a task return
; through a null back-link), TF=0, AC=0, DF=0.
%macro SLOW_PATH_FLAGS 0
    pushfd
    push FL_RESERVED1
    popfd
%endmacro

; Build the trap frame for this call at the top of the kernel stack, with
; trapno %1 (T_SYSCALL, or T_SYSCALL_TRACED for a call the trace records).
; In: EBP = AP stack pointer (-> saved EBP, return address), the caller's
; EBX, ESI, EDI in place, its ECX/EDX/EFLAGS at [fcall_stack-4]/[-8]/[-12],
; EAX as the frame's EAX. Interrupts must be off.
%macro BUILD_FRAME 1
    mov esp, [tss + 4]              ; TSS.esp0
    push SEL_KDATA                  ; ss
    lea ecx, [ebp + 8]
    push ecx                        ; esp: the AP's ESP once the call has returned
    mov ecx, [fcall_stack]
    push dword [ecx - 12]           ; eflags: the program's, back at the exit
    push SEL_KCODE                  ; cs: ring 0, Smode
    push dword [ebp + 4]            ; eip: the return address in the stub
    push TF_ERR_FCALL               ; err: marks a frame this receiver built
    push %1                         ; trapno
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

; The slow path: the frame with trapno %1 at the top of the kernel stack,
; then the C function %2 with it (trap, or syscall_tail for tail work,
; which runs with interrupts on: %3 = sti).
%macro FRAME_AND_CALL 2-3
    SLOW_PATH_FLAGS
    BUILD_FRAME %1
    %3
    push esp
    call %2
%endmacro

; From the AP stack to this process's kernel stack, keeping the AP's EBP
; and the caller's ECX, EDX (a C handler may clobber them). Label %1 marks
; the end of the instructions that run on the AP's stack.
%macro ENTER_KERNEL_STACK 1
    cld                             ; DF clear for C (the cdecl rule at any call)
    push ebp                        ; on the AP stack
global %1
%1:                                 ; up to here the receiver is on the AP's stack,
                                    ; whatever its ESP (trap.c: double_fault)
    mov ebp, esp
    mov esp, [fcall_stack]          ; this process's kernel stack
    push ecx
    push edx
%endmacro

global fcall_entry
fcall_entry:
    ENTER_KERNEL_STACK fcall_apstack_end
    ; BEGIN LAB 3: the fast path
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
    ; STUB: cli
    ; STUB: push .lab3_msg
    ; STUB: call panic
    ; STUB: .lab3_msg: db "lab 3: fcall_entry's fast path is not written yet", 0
    ; END LAB 3

.needs_frame:                       ; EAX = the number
    FRAME_AND_CALL T_SYSCALL, trap  ; -> syscall(): dispatch, then the tail
    add esp, 4
    jmp trapret

.tail_work:                         ; EAX = the result
    FRAME_AND_CALL T_SYSCALL, syscall_tail, sti
    add esp, 4
    jmp trapret

; The function receiver while the trace records system calls: trace.c has
; every control area name this entry instead of fcall_entry, so fcall_entry
; pays nothing for the trace. The same steps, with the trace's entry and
; exit events (kernel/trace.c) around the handler. C calls clobber EAX,
; ECX, EDX: the number and the result wait on the stack meanwhile.
global fcall_entry_traced
fcall_entry_traced:
    ENTER_KERNEL_STACK fcall_traced_apstack_end
    cmp eax, NSYSCALL
    jae .frame                      ; trap() records these (receiver "slow")
    test byte [syscalls + eax * SCE_SIZE + SCE_FLAGS], SC_FRAME
    jz .fast
.frame:                             ; EAX = the number
    FRAME_AND_CALL T_SYSCALL_TRACED, trap
    add esp, 4
    jmp trapret

.tail:                              ; EAX = the result
    FRAME_AND_CALL T_SYSCALL, syscall_tail, sti
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
