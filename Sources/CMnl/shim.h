#ifndef CLC_MNL_SHIM_H
#define CLC_MNL_SHIM_H
/* libmnl for the shared netlink socket (MnlSocket) and rtnetlink for the flannel backends
 * (RouteNetlink). The netfilter messages have their own module (CNetfilter). */
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
/* glibc's netinet/in.h first: linux/libc-compat.h then skips the kernel's own in_addr and
 * sockaddr_in, which would clash with the Glibc module's. */
#include <netinet/in.h>
#include <sys/syscall.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>

/* Moves the calling thread into the network namespace open at fd (setns is declared only under
 * _GNU_SOURCE; syscall() is variadic). 0x40000000 is CLONE_NEWNET; membership is per thread. */
static inline int clc_rtnl_setns_net(int fd) { return (int)syscall(SYS_setns, fd, 0x40000000); }

/* setsockopt(fd, SOL_NETLINK, option, &value): SOL_NETLINK is not exported by Swift's Glibc. */
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
static inline int clc_rtnl_set_option(int fd, int option, int value) {
    return setsockopt(fd, SOL_NETLINK, option, &value, sizeof(value));
}

/* SO_SNDBUFFORCE / SO_RCVBUFFORCE. */
static inline int clc_rtnl_socket_set_int(int fd, int option, int value) {
    return setsockopt(fd, SOL_SOCKET, option, &value, sizeof(value));
}

/* A receive timeout, so a lost answer ends in an error instead of a hang. */
static inline int clc_rtnl_set_receive_timeout(int fd, long seconds) {
    struct timeval tv = { .tv_sec = seconds, .tv_usec = 0 };
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}
#endif
