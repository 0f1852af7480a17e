; Every way into the kernel except the function receiver starts here: the
; exception and IRQ vectors and the interrupt receiver (int 0x80). They all
; build the one trap frame (kernel/trap.h) and leave through trapret, which
; chooses the way back by the saved CS (docs/dmsm.md, "the four exit paths").

%include "asmdefs.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
section .text

extern trap, tss, double_fault, ap_stack_kill, panic

; A stub per vector. The CPU pushes an error code for some exceptions only;
; the others push a 0 so that the frame has the same layout in every case.
%macro VECTOR_NOERR 1
vector%1:
    push 0
    push %1
    jmp alltraps
%endmacro
%macro VECTOR_ERR 1
vector%1:
    push %1
    jmp alltraps
%endmacro

; From trapentry_apstack to trapentry_apstack_end (in alltraps, below), an
; Smode AP's trap entry still pushes on the AP's own stack: the stubs push
; their two words there, alltraps two scratch registers. (The double-fault
; task, trap.c df_grow_stack, learns from this range whether an IRQ whose
; push failed is on its way to trap() or was lost.)
global trapentry_apstack, trapentry_apstack_end
trapentry_apstack:
%assign v 0
%rep 48
  %if v == 8 || (v >= 10 && v <= 14) || v == 17
    VECTOR_ERR v
  %else
    VECTOR_NOERR v
  %endif
%assign v v + 1
%endrep
VECTOR_NOERR 128                   ; T_SYSCALL (0x80), the interrupt receiver

; alltraps: turn what the CPU pushed into the common trap frame.
;
; Interrupts are off (every gate is an interrupt gate). Three cases, told apart
; by the saved CS and by the stack-pointer test (RING0_IS_AP in trap.h):
;  1. ring 3: the CPU switched to TSS.esp0 and pushed SS, ESP: an AP frame.
;  2. ring 0 and RING0_IS_AP (ESP at or below AP_STACK_TOP, or an EIP below
;     KERNBASE): an Smode AP's code was interrupted. The
;     CPU pushed EFLAGS, CS, EIP on the AP's own stack. Move them to the top of
;     the kernel stack and add the AP's ESP and SS, so the frame looks exactly
;     like case 1:
;          AP stack                         kernel stack (TSS.esp0 = top)
;        | ...      |                      |  ss = KDATA | <- top
;        | eflags   |  ---- copied ---->   |  esp (AP)   |
;        | cs       |                      |  eflags     |
;        | eip      |                      |  cs, eip    |
;        | err      |                      |  err        |
;   esp->| trapno   |                      |  trapno     | <- esp afterwards
;  3. otherwise: the kernel itself was interrupted. The frame stays where it
;     is, without ESP and SS; it is never preempted.
; The test uses the ESP the interrupted code had: ESP here plus the 20 bytes
; of trapno, err, eip, cs, eflags. (It cannot wrap: an ESP below 20 would
; have pushed at the top of the address space, which is never mapped.)
;
; The flags: the gate cleared IF, TF and NT (so trapret's iretd is never a
; task return); cld clears DF for C. AC is left as the interrupted code had
; it: it only matters at CPL 3 (alignment checks; this kernel leaves SMAP
; off), and the frame keeps the program's copy for the way back.
global alltraps
alltraps:
    test byte [esp + 12], 3         ; RPL of the saved CS (after trapno, err, eip)
    jnz alltraps_build              ; case 1
    cmp esp, AP_STACK_TOP - (TF_ESP - TF_TRAPNO)
    jbe .from_ap                    ; its ESP (esp + 20) is at or below AP_STACK_TOP
    cmp dword [esp + 8], KERNBASE   ; its EIP
    jae alltraps_build              ; case 3: kernel code on a kernel stack
.from_ap:                           ; case 2: two scratch registers, on the AP stack
    push eax
    push ebx
trapentry_apstack_end:              ; (the last push on the AP's stack)
    ; BEGIN LAB 5: case 2, moving the frame to the kernel stack
    ; STUB: push .lab5_msg
    ; STUB: call panic
    ; STUB: .lab5_msg: db "lab 5: alltraps: case 2 (the frame move for an Smode program) is not written yet", 0
    mov eax, [tss + 4]              ; TSS.esp0
    sub eax, TF_SIZE                ; eax = where the frame will start
    mov ebx, [esp + 8]
    mov [eax + TF_TRAPNO], ebx
    mov ebx, [esp + 12]
    mov [eax + TF_ERR], ebx
    mov ebx, [esp + 16]
    mov [eax + TF_EIP], ebx
    mov ebx, [esp + 20]
    mov [eax + TF_CS], ebx
    mov ebx, [esp + 24]
    mov [eax + TF_EFLAGS], ebx
    lea ebx, [esp + 28]             ; the AP's ESP before the interrupt
    mov [eax + TF_ESP], ebx
    mov dword [eax + TF_SS], SEL_KDATA
    mov ebx, esp                    ; ebx -> saved ebx, eax on the AP stack
    lea esp, [eax + TF_TRAPNO]      ; now on the kernel stack, at trapno
    mov eax, [ebx + 4]
    mov ebx, [ebx]
    ; END LAB 5
alltraps_build:
    cld                             ; the C code expects DF clear (the AP may not)
    push ds
    push es
    push fs
    push gs
    pusha
    mov ax, SEL_KDATA               ; ring 3 may have left anything in DS, ES
    mov ds, ax
    mov es, ax
    push esp                        ; struct trapframe *
    call trap
    add esp, 4
    ; fall through

; trapret: the one exit path, chosen by the frame's saved CS (not by how the
; frame was entered), with ESP pointing at a struct trapframe.
;  - CS ring 3: iret pops EIP, CS, EFLAGS, ESP, SS: back to a Umode AP.
;  - CS ring 0 and the frame is the process's outermost (it ends at TSS.esp0):
;    an Smode AP. A same-ring iret pops only EIP, CS, EFLAGS and does not load
;    ESP, so write those three words just below the AP's ESP, switch to that
;    stack and iret there:
;          AP stack after the writes
;        | ...       | <- AP's ESP (frame.esp)
;        | eflags    |
;        | cs        |
;        | eip       | <- ESP for the iret
;    An AP ESP above AP_STACK_TOP (an Smode AP that pointed it into kernel
;    space) gets no such words written into kernel memory: it is killed.
;  - otherwise: interrupted kernel code: plain iret.
; Every entry left NT clear (alltraps by its gate, fcall.asm and sysenter.asm
; by popfd, and swtch keeps flags per context), so no iretd here is a task
; return; the program's own flags come back from the frame.
global trapret
trapret:
    cli
    test byte [esp + TF_CS], 3
    jnz trapret_plain
    lea eax, [esp + TF_SIZE]
    cmp eax, [tss + 4]
    jne trapret_plain                      ; nested kernel frame
    ; BEGIN LAB 5: the return to a ring-0 AP
    ; STUB: global trapret_apstack, trapret_apstack_end
    ; STUB: trapret_apstack:
    ; STUB: trapret_apstack_end:
    ; STUB: push .lab5_msg
    ; STUB: call panic
    ; STUB: .lab5_msg: db "lab 5: trapret: the return to a ring-0 program is not written yet", 0
    mov eax, [esp + TF_ESP]
    cmp eax, AP_STACK_TOP
    ja trapret_kill                 ; not an AP stack
    sub eax, 12
    mov ebx, [esp + TF_EIP]
global trapret_apstack, trapret_apstack_end
trapret_apstack:                    ; a page fault from here to the end label means
    mov [eax], ebx                  ; the AP's stack has no room for these 12 bytes
    mov ebx, [esp + TF_CS]          ; (an Smode stack overflow: trap.c kills it)
    mov [eax + 4], ebx
    mov ebx, [esp + TF_EFLAGS]
    mov [eax + 8], ebx
trapret_apstack_end:
    mov [esp + TF_ESP], eax         ; where ESP goes for the iret
    popa
    pop gs
    pop fs
    pop es
    pop ds
    mov esp, [esp + TF_ESP - TF_TRAPNO]
    iretd
    ; END LAB 5
trapret_kill:
    push esp                        ; struct trapframe *
    call ap_stack_kill              ; trap.c; does not return
trapret_plain:
    ; BEGIN LAB 2: the way back to ring 3 (and to interrupted kernel code)
    ; STUB: push .lab2_msg
    ; STUB: call panic
    ; STUB: .lab2_msg: db "lab 2: trapret: the return through the trap frame is not written yet", 0
    popa
    pop gs
    pop fs
    pop es
    pop ds
    add esp, 8                      ; trapno, err
    iretd
    ; END LAB 2

; The double-fault task (a task gate on vector 8, with its own TSS and stack):
; a fault that finds no usable stack, such as an Smode AP overflowing its
; stack, lands here instead of triple-faulting. double_fault() inspects the
; interrupted state saved in the main TSS. iret returns to that task (NT is
; set); the next double fault starts again after the iret, hence the loop.
global df_task_entry
df_task_entry:
    add esp, 4                      ; the error code (always 0 for #DF)
    call double_fault
    iretd
    jmp df_task_entry

; The stubs' addresses, for idt_init (trap.c).
section .rodata
global vectors
vectors:
%assign v 0
%rep 48
    dd vector%+v
%assign v v + 1
%endrep
global vector_syscall
vector_syscall:
    dd vector128
