; The multiboot header and the kernel's first instructions.
;
; GRUB (or QEMU -kernel) loads the kernel at physical 1 MiB and jumps to
; _start (section .boot, linked at its physical address) with paging off, EAX = multiboot magic, EBX = physical address of
; the multiboot information. The kernel is linked at KERNBASE + 1 MiB, so before
; any C runs we turn on paging with a boot page directory that maps the first
; 64 MiB twice: at 0 (so the next instruction fetch still works) and at
; KERNBASE. kmain then builds the kernel's own page directory (vm.c).

%include "asmdefs.inc"

MB_MAGIC      equ 0x1BADB002
MB_PAGE_ALIGN equ 1 << 0        ; modules on page boundaries
MB_MEMINFO    equ 1 << 1        ; give us the memory map
MB_FLAGS      equ MB_PAGE_ALIGN | MB_MEMINFO
BOOT_MAP_4M   equ 16            ; 16 x 4 MiB pages = 64 MiB mapped at boot
BOOT_STACK    equ 16384

section .note.GNU-stack noalloc noexec nowrite progbits

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .data
align 4096
; Boot page directory: 4 MiB pages (PSE), present + writable.
global boot_pgdir
boot_pgdir:
%assign i 0
%rep BOOT_MAP_4M
    dd (i << 22) | PTE_P | PTE_W | PTE_PS
%assign i i + 1
%endrep
    times (KERNBASE >> 22) - BOOT_MAP_4M dd 0
%assign i 0
%rep BOOT_MAP_4M
    dd (i << 22) | PTE_P | PTE_W | PTE_PS
%assign i i + 1
%endrep
    times 1024 - (KERNBASE >> 22) - BOOT_MAP_4M dd 0

section .bss
align 16
global boot_stack, boot_stack_top
boot_stack:
    resb BOOT_STACK
boot_stack_top:

section .boot
global _start
_start:
    mov ecx, cr4
    or ecx, CR4_PSE                 ; 4 MiB pages for the boot map
    mov cr4, ecx
    mov ecx, boot_pgdir - KERNBASE
    mov cr3, ecx
    mov ecx, cr0
    or ecx, CR0_PG | CR0_WP | CR0_NE ; paging on; the kernel honours read-only pages
                                    ; too; x87 errors raise vector 16
    and ecx, ~(CR0_EM | CR0_TS)     ; the x87 is usable (proc.c saves it per process)
    mov cr0, ecx
    mov ecx, higher_half
    jmp ecx                         ; from here on we run at KERNBASE + ...

section .text
higher_half:
    mov esp, boot_stack_top
    xor ebp, ebp                    ; the backtrace stops at a zero frame pointer
    push ebx                        ; physical address of the multiboot info
    push eax                        ; multiboot magic
    extern kmain
    call kmain
.hang:                              ; kmain never returns
    cli
    hlt
    jmp .hang
