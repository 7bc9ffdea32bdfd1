#ifndef CLC_NETFILTER_SHIM_H
#define CLC_NETFILTER_SHIM_H
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/batch.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

/* MNL_SOCKET_BUFFER_SIZE is a function-like macro in libmnl; Swift cannot import it. */
static inline size_t clc_mnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
#endif
