; crt0: where every user program starts. exec leaves the stack as if
; _start(argc, argv) had been called: [esp] = 0 (no return address),
; [esp+4] = argc, [esp+8] = argv. Run main, then exit with its result.

section .note.GNU-stack noalloc noexec nowrite progbits
section .text.start
extern main, exit
global _start
_start:
    xor ebp, ebp                ; the outermost frame, for debuggers
    mov eax, [esp + 4]
    mov edx, [esp + 8]
    push edx
    push eax
    call main
    push eax
    call exit
.hang:
    jmp .hang                   ; exit does not return
