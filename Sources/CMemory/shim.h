#ifndef CLC_MEMORY_SHIM_H
#define CLC_MEMORY_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr */
#endif
/* What Glibc's Swift module leaves out: malloc.h (mallopt, M_ARENA_MAX, malloc_trim) and
   link.h (dl_iterate_phdr, the loaded objects' program headers). */
#include <malloc.h>
#include <link.h>
#include <sys/mman.h>
#endif
