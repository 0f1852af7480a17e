; swtch(struct context **old, struct context *new)
; Save the current kernel context (EFLAGS, the callee-saved registers and the
; return address, which the call pushed) on the current stack, store a
; pointer to it in *old, and resume the context new. The caller-saved
; registers need no saving: the C compiler already assumes a call clobbers
; them. EFLAGS is saved so that flags a process's kernel path carries (DF,
; or NT set by an Smode program) stay with that process.

section .note.GNU-stack noalloc noexec nowrite progbits
section .text
global swtch
swtch:
    mov eax, [esp + 4]      ; old
    mov edx, [esp + 8]      ; new
    push ebp
    push ebx
    push esi
    push edi
    pushfd
    mov [eax], esp          ; *old = this stack: eflags edi esi ebx ebp eip
    mov esp, edx
    popfd
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
