#ifndef CLC_NETFILTER_SHIM_H
#define CLC_NETFILTER_SHIM_H
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
/* glibc's netinet/in.h first: linux/libc-compat.h then skips the kernel's own in_addr and
 * sockaddr_in, which would clash with the Glibc module's. */
#include <netinet/in.h>
#include <sys/syscall.h>
/* malloc_trim: the proxy hands the heap of a full sync back to the system (Glibc's Swift module
 * does not export malloc.h). */
#include <malloc.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/batch.h>
#include <libnftnl/udata.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

/* MNL_SOCKET_BUFFER_SIZE is a function-like macro in libmnl; Swift cannot import it. */
static inline size_t clc_mnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }

/* Moves the calling thread into the network namespace open at fd. setns() is declared only
 * under _GNU_SOURCE, and syscall() is variadic: neither reaches Swift. 0x40000000 is
 * CLONE_NEWNET. Network namespace membership is per thread. */
static inline int clc_setns_net(int fd) { return (int)syscall(SYS_setns, fd, 0x40000000); }

/* setsockopt(fd, SOL_NETLINK, option, &value): SOL_NETLINK lives in a header Swift's Glibc
 * module does not export. */
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
static inline int clc_netlink_set_option(int fd, int option, int value) {
    return setsockopt(fd, SOL_NETLINK, option, &value, sizeof(value));
}

/* setsockopt(fd, SOL_SOCKET, option, &value) for SO_SNDBUFFORCE / SO_RCVBUFFORCE. */
static inline int clc_socket_set_int(int fd, int option, int value) {
    return setsockopt(fd, SOL_SOCKET, option, &value, sizeof(value));
}

/* A receive timeout, so a lost answer ends in an error instead of a hang. */
static inline int clc_socket_set_receive_timeout(int fd, long seconds) {
    struct timeval tv = { .tv_sec = seconds, .tv_usec = 0 };
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}
#endif
