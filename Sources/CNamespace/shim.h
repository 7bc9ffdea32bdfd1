#ifndef CLC_NAMESPACE_SHIM_H
#define CLC_NAMESPACE_SHIM_H
#include <sys/syscall.h>
#include <unistd.h>

/* Moves the calling thread into the network namespace open at fd. setns() is declared only under
 * _GNU_SOURCE, which Glibc's Swift module does not define; 0x40000000 is CLONE_NEWNET. */
static inline int clc_ns_setns_net(int fd) { return (int)syscall(SYS_setns, fd, 0x40000000); }
#endif
