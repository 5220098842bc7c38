#include "allocator_frames.h"

namespace heapdrift {

const std::vector<std::string>& AllocatorFrames::builtin_patterns() {
  static const std::vector<std::string> patterns = {
      // The allocation functions the shim hooks, and allocators' internals.
      "(malloc|calloc|realloc|reallocarray|free|posix_memalign|aligned_alloc|memalign|valloc|pvalloc)",
      "(mallocx|rallocx|sdallocx|dallocx|je_.*|(__GI_)?__libc_.*|_int_.*|tc_.*)",
      // operator new, the global one or a class's own: it allocates for the `new`.
      "(.*::)?operator new(\\[\\])?",
      // glibc functions that allocate on their caller's behalf, by their public names and
      // by those its debug information gives (__GI___strdup, ___asprintf).
      "(__GI_)?_{0,3}(strdup|strndup|wcsdup|asprintf|vasprintf|getline|getdelim|open_memstream|realpath|"
      "__vasprintf.*)",
      // GNU programs' wrappers of malloc that exit when memory runs out: libiberty's (GCC,
      // binutils) and gnulib's (coreutils, tar, grep).
      "x(malloc|calloc|zalloc|realloc|reallocarray|nmalloc|nrealloc|2realloc|2nrealloc|palloc|charalloc|strdup|"
      "strndup|memdup|asprintf|vasprintf)",
      // GLib's (GTK and GNOME programs, many daemons), and Perl's.
      "g_(try_)?(malloc0?|realloc)(_n)?|g_(memdup2?|strn?dup|strdup_v?printf|strconcat|slice_alloc0?|slice_copy)",
      "Perl_safesys(malloc|calloc|realloc)|Perl_savepvn?|Perl_savesharedpvn?",
      // The C++ standard library allocating on its caller's behalf (allocator layers,
      // container internals, std::string): the site is the code that called it.
      "(std|__gnu_cxx)::.*",
      // HotSpot's wrappers around malloc.
      "os::(malloc|realloc|strdup)",
      "(AllocateHeap|ReallocateHeap|AllocateHeapOrNull)",
      "CHeapBitMap::.*|\\w*BitMapAllocator::.*|ArrayAllocator<.*>::.*|MallocArrayAllocator<.*>::.*",
      // HotSpot's growable array, as std::vector above.
      "GrowableArray.*",
      // HotSpot's arenas (resource areas, the compilers' arenas): a chunk is allocated
      // by whichever request overflowed the last one, and that request is the site.
      "(Arena|ResourceArea|Chunk|ChunkPool)::.*|resource_(allocate|reallocate)_bytes",
      // PostgreSQL's memory contexts: a context's block is allocated by whichever request
      // overflowed the last one, as HotSpot's arenas above; creating a context too.
      "palloc(0|_extended|_aligned)?|repalloc(0|_extended|_huge)?|MemoryContextAlloc\\w*|MemoryContextStrdup|"
      "pn?strdup|psprintf|(AllocSet|Generation|Slab|Bump)(Alloc\\w*|Realloc|ContextCreate\\w*)|MemoryContextCreate",
      // ...and its node trees and lists, copied or grown for the caller, as std:: containers
      // above: a prepared statement kept is CreateCachedPlan's, not copyObjectImpl's.
      "copyObjectImpl|list_copy(_head|_tail|_deep)?|lappend(_int|_oid|_xid)?|lcons(_int|_oid)?|list_make[1-5]_impl|"
      "list_concat(_copy)?|list_insert_nth(_int|_oid)?",
      // nginx's malloc wrappers, pools and arrays.
      "ngx_(alloc|calloc|memalign|palloc|pnalloc|pcalloc|pmemalign|create_pool|pstrdup|array_(create|push|push_n)|"
      "list_(create|push))",
      // Apache httpd's malloc wrappers, and APR's allocators and pools (Debian's APR maps
      // its pools' memory itself: there, only the allocators' own structures are malloc'd).
      "ap_(malloc|calloc|realloc)|apr_allocator_create|apr_(palloc|pcalloc|pool_create\\w*|pstr\\w*|psprintf|"
      "pvsprintf|pmemdup)",
      // Redis's (and Valkey's) malloc wrappers, and its strings (sds), as std::string above.
      "z(try)?(malloc|calloc|realloc)\\w*|zstrdup|"
      "_?sds(newlen|new|empty|dup|MakeRoomFor\\w*|growzero|catlen|cat|catsds|catvprintf|catprintf|catfmt|cpylen|cpy|"
      "Resize|RemoveFreeSpace)",
      // SQLite's malloc wrappers and its strings: the public API and the internals Debian's
      // libsqlite3 exports (its statics, sqlite3MemMalloc among them, go with the exported
      // frame that called them). What asked for the memory stays the site: its hash
      // tables, schema, pager (sqlite3HashInsert, sqlite3PagerOpen: sqlite-jdbc, by hand).
      "sqlite3_(malloc|realloc)(64)?|sqlite3_v?mprintf|sqlite3(Malloc|MallocZero|Realloc|DbMallocRaw(NN)?|"
      "DbMallocZero|DbRealloc|DbReallocOrFree|DbStrN?Dup|DbSpanDup|MemMalloc|MemRealloc|PageMalloc|StrAccumEnlarge|"
      "V?MPrintf)|dbMallocRawFinish|dbReallocFinish",
      // Java's off-heap allocation API, down to HotSpot's entry point for it, and the
      // direct buffers built on it: the site is the code that asked for the buffer.
      "Unsafe_(Allocate|Reallocate)Memory0",
      "(jdk\\.internal\\.misc|sun\\.misc)\\.Unsafe\\.(allocate|reallocate)Memory0?",
      "java\\.nio\\.(DirectByteBuffer\\.<init>|ByteBuffer\\.allocateDirect)",
      // The foreign memory API (Arena.allocate, SegmentAllocator, the JDK 17 incubator's
      // MemorySegment.allocateNative) and its implementation, on Unsafe too; not its
      // subpackages (abi: downcalls, which call native code that allocates for itself).
      "(java\\.lang|jdk\\.internal|jdk\\.incubator)\\.foreign\\.[\\w$]+\\.[^.]+",
      // Netty's buffers (shaded copies too: io.grpc.netty.shaded.io.netty...), pooled or not,
      // down to its own calls of Unsafe: the site is the handler or codec that asked for the
      // buffer, and a pool's chunk the request that overflowed the last one, as HotSpot's
      // arenas above. JNA's off-heap memory (new Memory(n)), as a direct buffer.
      "([\\w$]+\\.)*io\\.netty\\.buffer\\.[\\w$]+\\.[^.]+|"
      "([\\w$]+\\.)*io\\.netty\\.util\\.internal\\.PlatformDependent0?\\.(allocate|reallocate)\\w*",
      "com\\.sun\\.jna\\.(Native\\.malloc|Memory\\.(<init>|malloc))",
      // Go's C.malloc, C.CString and C.CBytes: cgo's wrapper of malloc, the runtime's
      // trampoline to it and its caller (in stacks of releases after 1.19), and the Go
      // functions cgo generates (package path and all).
      "_cgo_[0-9a-f]+_Cfunc__Cmalloc|runtime\\.(asmcgocall|cgocall)|.*\\._cgo_cmalloc|.*\\._Cfunc_(CString|CBytes|_CMalloc)",
      // Rust's allocation and its collections, where no debug information says that a
      // frame is the standard library's (matches(const Frame&) below): the alloc crate,
      // std's hash map (hashbrown), and implementations of their types and traits.
      "(alloc|hashbrown)::.*|<(alloc|hashbrown)::.*|<.* as alloc::.*",
  };
  return patterns;
}

AllocatorFrames::AllocatorFrames(const std::vector<std::string>& extra) {
  for (const auto* list : {&builtin_patterns(), &extra}) {
    for (const std::string& p : *list) patterns_.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
  }
}

bool AllocatorFrames::matches(const Frame& frame) const {
  // rustc's debug information names its standard library's sources
  // /rustc/<commit>/library/<crate>/src/...
  const std::string& file = frame.file;
  if (file.rfind("/rustc/", 0) == 0 && file.find("/library/") != std::string::npos) return true;
  return matches(frame.function);
}

bool AllocatorFrames::matches(const std::string& function) const {
  for (const std::regex& r : patterns_) {
    if (std::regex_match(function, r)) return true;
  }
  return false;
}

}  // namespace heapdrift
