/* The infra container's process, for x86-64 Linux, with no libc: it holds the pod's network
 * and IPC namespaces and does nothing else.
 *
 * As PID 1 of its namespace it gets no default signal handling (SIGTERM with no handler is
 * dropped), so instead of handlers it blocks SIGINT, SIGTERM and SIGCHLD and waits for them
 * with rt_sigtimedwait: blocked signals are always queued, even for PID 1. SIGINT or SIGTERM
 * ends it with status 0; SIGCHLD reaps zombies re-parented to it.
 *
 * scripts/gen-pause.sh assembles this into the bytes of Sources/PodRuntime/Images/PauseProgram.swift.
 */
    .globl _start
    .text
_start:
    sub     $16, %rsp
    movq    $0x14002, (%rsp)        /* sigset: SIGINT(2) | SIGTERM(15) | SIGCHLD(17), bit n-1 */
    mov     $14, %eax               /* rt_sigprocmask(SIG_BLOCK, &set, NULL, 8) */
    xor     %edi, %edi
    mov     %rsp, %rsi
    xor     %edx, %edx
    mov     $8, %r10d
    syscall
wait_signal:
    mov     $128, %eax              /* rt_sigtimedwait(&set, NULL, NULL, 8) */
    mov     %rsp, %rdi
    xor     %esi, %esi
    xor     %edx, %edx
    mov     $8, %r10d
    syscall
    test    %eax, %eax
    js      wait_signal             /* EINTR and friends: wait again */
    cmp     $17, %eax
    jne     stop
reap:
    mov     $61, %eax               /* wait4(-1, NULL, WNOHANG, NULL) */
    mov     $-1, %rdi
    xor     %esi, %esi
    mov     $1, %edx
    xor     %r10d, %r10d
    syscall
    test    %rax, %rax
    jg      reap
    jmp     wait_signal
stop:
    mov     $60, %eax               /* exit(0) */
    xor     %edi, %edi
    syscall
