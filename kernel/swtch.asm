; swtch(struct context **old, struct context *new)
; Save the current kernel context (callee-saved registers and the return
; address, which the call pushed) on the current stack, store a pointer to it
; in *old, and resume the context new. The caller-saved registers need no
; saving: the C compiler already assumes a call clobbers them.

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
    mov [eax], esp          ; *old = this stack: edi esi ebx ebp eip
    mov esp, edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
