#ifndef CLC_NETFILTER_SHIM_H
#define CLC_NETFILTER_SHIM_H
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
/* glibc's netinet/in.h first: linux/libc-compat.h then skips the kernel's own in_addr and
 * sockaddr_in, which would clash with the Glibc module's. */
#include <netinet/in.h>
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

/* The socket itself (namespace, acks, buffers, time-out) is MnlSocket's, over CMnl. */
#endif
