#ifndef CLC_MEMORY_H
#define CLC_MEMORY_H
/* What Glibc's Swift module leaves out: malloc.h (mallopt, M_ARENA_MAX, malloc_trim), and the
   loaded objects' segments from dl_iterate_phdr, which link.h declares only under _GNU_SOURCE
   (defined in memory.c alone: in a header it would change other modules' view of the system
   headers, and clang refuses the mix). */
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

/* One PT_LOAD or PT_GNU_RELRO segment of a loaded object, at its address in this process. */
typedef struct {
    const char *object; /* the object's path; "" for the executable */
    uintptr_t start;
    uintptr_t end;
    int writable;  /* PF_W */
    int relocated; /* PT_GNU_RELRO */
} clc_segment;

typedef void (*clc_segment_visitor)(const clc_segment *segment, void *context);

/* Calls `visit` for every segment of every loaded object but the vDSO. */
void clc_visit_loaded_segments(clc_segment_visitor visit, void *context);

#endif
