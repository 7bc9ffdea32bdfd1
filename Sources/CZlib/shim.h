#ifndef CLC_ZLIB_SHIM_H
#define CLC_ZLIB_SHIM_H
/* zlib for SPDY/3 header blocks (module SPDY). deflateInit2 and inflateInit are macros that pass
 * the library version and the stream's size; Swift cannot import them, so they become the two
 * functions below. */
#include <zlib.h>

/* A zlib-wrapped deflate stream (window 2^15, memLevel 8, default strategy): the settings Go's
 * compress/zlib writer and Python's zlib.compressobj use, so their output can serve as golden
 * bytes. */
static inline int clc_zlib_deflate_init(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY);
}

/* A zlib-wrapped inflate stream with the default 2^15 window. */
static inline int clc_zlib_inflate_init(z_streamp stream) {
    return inflateInit(stream);
}
#endif
