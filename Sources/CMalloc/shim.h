#ifndef CLC_MALLOC_SHIM_H
#define CLC_MALLOC_SHIM_H
/* glibc's mallopt(3) and its M_ARENA_MAX, which Glibc's Swift module leaves out (malloc.h). */
#include <malloc.h>
#endif
