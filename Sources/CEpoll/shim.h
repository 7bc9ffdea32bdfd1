#ifndef CLC_EPOLL_SHIM_H
#define CLC_EPOLL_SHIM_H
/* epoll(7), eventfd(2) and pthread_setname_np(3) for the probe reactor: Glibc's Swift module
 * includes none of these headers. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <pthread.h>

/* pthread_setname_np is declared only under _GNU_SOURCE. */
extern int pthread_setname_np(pthread_t thread, const char *name);
#endif
