// libzstd, found at run time rather than linked, as libunwind is (libunwind_library.h):
// a shim linked against libzstd.so.1 would not load where an image lacks it, and the
// compressor is worth having only where it costs the program nothing to get.
//
// Loaded privately (RTLD_LOCAL) by its soname, which gives back the program's own copy
// where it has one. Null where libzstd.so.1 cannot be loaded, is older than 1.4.0 (the
// first with ZSTD_compressStream2), or lacks one of these: snapshots are then written
// uncompressed.
#ifndef HEAPDRIFT_PRELOAD_ZSTD_LIBRARY_H
#define HEAPDRIFT_PRELOAD_ZSTD_LIBRARY_H

#define ZSTD_STATIC_LINKING_ONLY  // the static context: its memory is the shim's, not malloc's
#include <zstd.h>

namespace heapdrift {

struct Zstd {
  decltype(&ZSTD_getCParams) get_cparams;
  decltype(&ZSTD_estimateCStreamSize_usingCParams) estimate_cstream_size;
  decltype(&ZSTD_initStaticCCtx) init_static_cctx;
  decltype(&ZSTD_CCtx_setParameter) set_parameter;
  decltype(&ZSTD_compressStream2) compress_stream2;
  decltype(&ZSTD_isError) is_error;
};

// Loaded once, at the first call: the shim's start-up (lifecycle.cpp says why there).
const Zstd* zstd();

// What zstd() found, once it has returned; null before, and where it found nothing.
// Never loads, never waits: snapshots are written where no dlopen may happen.
const Zstd* loaded_zstd();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_ZSTD_LIBRARY_H
