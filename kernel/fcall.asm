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
; Slow path: the call needs the full trap frame (SC_FRAME: fork, exec), the
; number is bad, or tail work is pending (mode request, reschedule, kill).
; Then build the very frame `int 0x80` would have built, at the very place
; (the top of the kernel stack), and leave through trapret, which decides by
; the saved CS: a process that became Umode returns to ring 3 from here.
;
;   the AP's stack                     this process's kernel stack
;   | ...            |                 +------------------+ <- TSS.esp0
;   | return address | [ebp+4]: the    | ss, esp, eflags  |  the reserved frame
;   |                |  frame's EIP    | cs, eip, err     |  slot (TF_SIZE
;   | AP's EBP       | <- EBP while    | trapno, ds..gs   |  bytes): the slow
;   +----------------+  in the kernel  | pusha            |  path's trap frame,
;     (the frame's ESP = EBP + 8)      |                  |  never touched on
;                                      |                  |  the fast path
;                                      +------------------+ <- fcall_stack
;                                      | caller's ECX     |  - FCALL_ECX
;                                      | caller's EDX     |  - FCALL_EDX
;                                      +------------------+
;                                      | program's EFLAGS |  - FCALL_EFLAGS: the slow
;                                      |  or the fast     |  path's; the fast path's
;                                      |  path's five     |  arguments start at this
;                                      |  arguments       |  word (EDI first)
;                                      +------------------+
;
; The flags on the fast path are the program's, and that is safe:
;  - NT only matters to iretd, and the fast path never executes one; the
;    handler runs in the program's own context, whose flags swtch saves and
;    restores, so a call that sleeps leaves NT to itself. The slow path
;    clears it before it builds a frame for trapret's iretd.
;  - TF set by the program traps at the first instruction it reaches in
;    here, while ESP is still the AP's stack: alltraps takes it for AP code
;    and trap() kills the program (vector 1). TF never single-steps the
;    kernel.
;  - AC only has an effect at CPL 3 (alignment checks); copyin and copyout
;    run at CPL 0, and this kernel does not turn SMAP on.
;  - DF: cleared by cld (the cdecl rule wants it clear at a call anyway).
;  - IF: as the program left it (ring 0 may cli; a handler keeps it).
;
; The way onto the kernel stack (FCALL_ENTER) and the slow path's frame
; (FCALL_FRAME) are macros in fcall.inc: the traced twin of this receiver
; (tracesys.asm) takes the same two steps.

%include "asmdefs.inc"
%include "fcall.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
section .text

extern syscalls, curproc, fcall_stack, tss, trap, syscall_tail, trapret, panic

global fcall_entry
fcall_entry:
    FCALL_ENTER fcall_apstack_end
    ; BEGIN LAB 3: the fast path
    ; STUB: cli
    ; STUB: push .lab3_msg
    ; STUB: call panic
    ; STUB: .lab3_msg: db "lab 3: fcall_entry's fast path is not written yet", 0
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
    ; END LAB 3

; BEGIN LAB 3: the slow path's two exits
; STUB: .needs_frame:
; STUB: .tail_work:
; STUB: push .lab3_exits_msg
; STUB: call panic
; STUB: .lab3_exits_msg: db "lab 3: fcall_entry's slow path is not written yet", 0
.needs_frame:                       ; EAX = the number: trap() dispatches it
    FCALL_FRAME T_SYSCALL
    push esp                        ; struct trapframe *
    call trap                       ; -> syscall(): dispatch, then the tail
    add esp, 4
    jmp trapret

.tail_work:                         ; EAX = the result: only the tail is left
    FCALL_FRAME T_SYSCALL
    sti                             ; the tail runs with interrupts on
    push esp                        ; struct trapframe *
    call syscall_tail
    add esp, 4
    jmp trapret
; END LAB 3
