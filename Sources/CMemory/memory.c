#define _GNU_SOURCE
#include <link.h>
#include <string.h>

#include "clc_memory.h"

struct visit {
    clc_segment_visitor visit;
    void *context;
};

static int visit_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct visit *visit = data;
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    if (strncmp(name, "linux-vdso", 10) == 0 || strncmp(name, "linux-gate", 10) == 0) return 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        if ((header->p_type != PT_LOAD && header->p_type != PT_GNU_RELRO) || header->p_memsz == 0) continue;
        clc_segment segment = {
            .object = name,
            .start = info->dlpi_addr + header->p_vaddr,
            .end = info->dlpi_addr + header->p_vaddr + header->p_memsz,
            .writable = (header->p_flags & PF_W) != 0,
            .relocated = header->p_type == PT_GNU_RELRO,
        };
        visit->visit(&segment, visit->context);
    }
    return 0;
}

void clc_visit_loaded_segments(clc_segment_visitor visit, void *context) {
    struct visit state = {visit, context};
    dl_iterate_phdr(visit_object, &state);
}
