// The built-in list of allocation machinery, against function names as the symbolizer
// gives them (demangled, without parameters): what allocates on a caller's behalf is
// cut, the caller is not.
#include <gtest/gtest.h>

#include "allocator_frames.h"

namespace heapdrift {
namespace {

TEST(AllocatorFrames, CutsWhatAllocatesOnItsCallersBehalf) {
  AllocatorFrames frames;
  for (const char* f : {
           "malloc", "calloc", "je_malloc_default", "operator new", "operator new[]",
           "strdup", "std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>",
           // glibc's, as its debug information names them; GNU programs', GLib's and Perl's wrappers.
           "__GI___strdup", "___asprintf", "__GI___libc_malloc", "xmalloc", "xstrdup", "x2nrealloc", "g_malloc0",
           "g_malloc_n", "g_strdup_printf", "Perl_safesysmalloc", "Perl_savepvn",
           "__gnu_cxx::new_allocator<char>::allocate",
           // A class's own operator new allocates for the `new` expression, as the global one.
           "CHeapObj<(MEMFLAGS)5>::operator new", "CompilationResourceObj::operator new", "Node::operator new[]",
           // HotSpot's malloc wrappers, growable arrays and arenas.
           "os::malloc", "AllocateHeap", "ResourceBitMapAllocator::allocate",
           "GrowableArrayWithAllocator<int, GrowableArray<int> >::expand_to", "GrowableArray<Interval*>::allocate",
           "Arena::grow", "Arena::Arena", "Chunk::operator new", "ChunkPool::allocate", "ResourceArea::allocate_bytes",
           "resource_allocate_bytes", "Unsafe_AllocateMemory0", "jdk.internal.misc.Unsafe.allocateMemory0",
           // Direct buffers, on Unsafe.
           "java.nio.DirectByteBuffer.<init>", "java.nio.ByteBuffer.allocateDirect",
           // The foreign memory API: JDK 25's, and JDK 17's incubator.
           "java.lang.foreign.SegmentAllocator.allocate", "jdk.internal.foreign.ArenaImpl.allocate",
           "jdk.internal.foreign.SegmentFactories.allocateMemoryWrapper",
           "jdk.incubator.foreign.MemorySegment.allocateNative",
           "jdk.internal.foreign.NativeMemorySegmentImpl.makeNativeSegment"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
}

TEST(AllocatorFrames, KeepsTheCodeThatWantedTheMemory) {
  AllocatorFrames frames;
  for (const char* f : {"codec::FrameCache::retain", "ThreadRegistry::onThreadStart", "Node_Array::Node_Array",
                        "PhaseIFG::init", "MyArena::grow", "ChunkedList::add", "ResourceAreaUser::run",
                        "operator newline", "heapdrift.samples.unsafe.OffHeapIndex.addEntry", "main",
                        "java.nio.ByteBuffer.allocate", "java.nio.DirectByteBuffer.get",
                        // A downcall's machinery: the native code it calls allocates for itself.
                        "jdk.internal.foreign.abi.DowncallLinker.invokeInterpBindings",
                        "java.lang.foreignx.Arena.allocate", "xml_parse", "xmallocate_pool", "g_hash_table_insert",
                        "Perl_newSV"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

// Rust, as rustc 1.95's debug information and symbols name the frames of a Vec, a
// format! and a HashMap growing: by name where the name says it (the alloc crate,
// hashbrown), by source for the rest of the standard library (core, std).
TEST(AllocatorFrames, CutsRustsStandardLibrary) {
  AllocatorFrames frames;
  for (const char* f : {"alloc::alloc::alloc", "<alloc::alloc::Global>::alloc_impl",
                        "<alloc::alloc::Global as core::alloc::Allocator>::allocate",
                        "alloc::raw_vec::RawVecInner<A>::try_allocate_in", "<alloc::vec::Vec<u8>>::with_capacity",
                        "<u8 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem", "alloc::fmt::format::format_inner",
                        "hashbrown::raw::RawTable<T,A>::reserve_rehash"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  Frame from_core;
  from_core.function = "core::iter::traits::iterator::Iterator::collect";
  EXPECT_FALSE(frames.matches(from_core)) << "core:: alone could be a C++ namespace";
  from_core.file = "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/iter/traits/iterator.rs";
  EXPECT_TRUE(frames.matches(from_core));
  Frame user;
  user.function = "leak::open_session";
  user.file = "/srv/app/src/leak.rs";
  EXPECT_FALSE(frames.matches(user));
  // A C++ namespace that happens to be called alloc is rare; one called core, less so.
  EXPECT_FALSE(frames.matches("core::Engine::allocate"));
}

// Go's C.CString, C.CBytes and C.malloc, as their stacks read from the allocation up:
// cgo's wrapper of malloc, the runtime's trampoline (and, after Go 1.19, its caller
// runtime.cgocall), the Go functions cgo generates
// (in any package). The Go code that called them is the site; so is a C function that
// Go called, whose own allocation goes through the same trampoline.
TEST(AllocatorFrames, CutsGosAllocationThroughCgo) {
  AllocatorFrames frames;
  for (const char* f : {"_cgo_34c30f83496c_Cfunc__Cmalloc", "runtime.asmcgocall", "runtime.cgocall", "main._cgo_cmalloc",
                        "main._Cfunc_CString", "main._Cfunc_CBytes", "main._Cfunc__CMalloc",
                        "github.com/acme/kv/store._Cfunc_CString"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  for (const char* f : {"main.lookup", "main.(*Sender).Send", "main._Cfunc_frame_cache_retain",
                        "_cgo_34c30f83496c_Cfunc_frame_cache_retain", "frame_cache_retain", "runtime.main"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

// PostgreSQL's memory contexts, as its exported functions name them (its static ones,
// AllocSetAlloc among them, are unnamed in Debian's build: process_history.cpp cuts them
// with the palloc that called them).
TEST(AllocatorFrames, CutsPostgresMemoryContexts) {
  AllocatorFrames frames;
  for (const char* f : {"palloc", "palloc0", "palloc_extended", "repalloc", "repalloc_huge", "MemoryContextAlloc",
                        "MemoryContextAllocZero", "MemoryContextAllocExtended", "MemoryContextStrdup", "pstrdup",
                        "pnstrdup", "psprintf", "AllocSetAlloc", "AllocSetRealloc", "AllocSetContextCreateInternal",
                        "GenerationAlloc", "SlabAlloc", "SlabContextCreate", "MemoryContextCreate",
                        // node trees and lists, copied or grown for the caller
                        "copyObjectImpl", "list_copy", "list_copy_deep", "list_copy_tail", "lappend", "lappend_oid",
                        "lcons", "list_make2_impl", "list_concat", "list_concat_copy", "list_insert_nth"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  for (const char* f : {"RelationCacheInitializePhase3", "InitCatCache", "hash_search_with_hash_value",
                        "MemoryContextReset", "MemoryContextDelete", "pallocator", "GenerationStep",
                        "CreateCachedPlan", "CompleteCachedPlan", "PrepareQuery", "list_free", "list_member",
                        "copyObject"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

// nginx's malloc wrappers and pools (ngx_palloc_block, static, is unnamed in Debian's
// build and cut with the ngx_palloc that called it).
TEST(AllocatorFrames, CutsNginxPools) {
  AllocatorFrames frames;
  for (const char* f : {"ngx_alloc", "ngx_calloc", "ngx_palloc", "ngx_pnalloc", "ngx_pcalloc", "ngx_create_pool",
                        "ngx_pstrdup", "ngx_array_push", "ngx_list_push"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  for (const char* f : {"ngx_spawn_process", "ngx_http_init_connection", "ngx_destroy_pool", "ngx_allocator"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

// Apache httpd's wrappers, and APR's allocators and pools.
TEST(AllocatorFrames, CutsApacheAndAprAllocation) {
  AllocatorFrames frames;
  for (const char* f : {"ap_malloc", "ap_calloc", "ap_realloc", "apr_allocator_create", "apr_palloc", "apr_pcalloc",
                        "apr_pool_create_ex", "apr_pstrdup", "apr_pstrcat", "apr_psprintf"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  for (const char* f : {"ap_run_mpm", "ap_setup_prelinked_modules", "apr_pool_destroy", "apr_file_open"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

// Redis's malloc wrappers and strings; its objects and data structures stay sites.
TEST(AllocatorFrames, CutsRedisWrappersAndStrings) {
  AllocatorFrames frames;
  for (const char* f : {"zmalloc", "zcalloc", "zrealloc_usable", "zmalloc_usable", "ztrymalloc_usable_internal",
                        "zstrdup", "_sdsnewlen", "sdsnewlen", "sdsMakeRoomFor", "sdsMakeRoomForNonGreedy", "sdscatlen",
                        "sdsdup"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  for (const char* f : {"createStringObject", "lpInsert", "dictAddRaw", "processMultibulkBuffer", "zfree", "sdsfree",
                        "zipmapNew"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

// SQLite's malloc wrappers and strings; its structures stay sites.
TEST(AllocatorFrames, CutsSqliteWrappersAndStrings) {
  AllocatorFrames frames;
  for (const char* f : {"sqlite3_malloc", "sqlite3_malloc64", "sqlite3_realloc64", "sqlite3_mprintf",
                        "sqlite3_vmprintf", "sqlite3Malloc", "sqlite3MallocZero", "sqlite3DbMallocRaw",
                        "sqlite3DbMallocRawNN", "sqlite3DbMallocZero", "sqlite3DbReallocOrFree", "sqlite3DbStrNDup",
                        "sqlite3MemMalloc", "sqlite3PageMalloc", "sqlite3MPrintf", "sqlite3VMPrintf",
                        "dbMallocRawFinish"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  for (const char* f : {"sqlite3HashInsert", "sqlite3PagerOpen", "sqlite3FindFunction", "sqlite3_open_v2",
                        "sqlite3_free", "sqlite3DbFree", "sqlite3MallocSize", "sqlite3_prepare_v2"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

// Netty's buffer allocators, pooled and not, shaded or not, and JNA's Memory: the code
// that asked for the buffer is the site.
TEST(AllocatorFrames, CutsNettysBuffersAndJnasMemory) {
  AllocatorFrames frames;
  for (const char* f : {"io.netty.buffer.UnpooledDirectByteBuf.allocateDirect",
                        "io.netty.buffer.UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeDirectByteBuf.<init>",
                        "io.netty.buffer.AbstractByteBufAllocator.directBuffer",
                        "io.netty.buffer.PoolArena$DirectArena.newChunk", "io.netty.buffer.PoolArena.allocateNormal",
                        "io.netty.buffer.ByteBufUtil.encodeString0",
                        "io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator.newDirectBuffer",
                        "io.netty.util.internal.PlatformDependent.allocateDirectNoCleaner",
                        "io.netty.util.internal.PlatformDependent0.allocateDirectNoCleaner", "com.sun.jna.Native.malloc",
                        "com.sun.jna.Memory.<init>", "com.sun.jna.Memory.malloc"}) {
    EXPECT_TRUE(frames.matches(f)) << f;
  }
  for (const char* f : {"io.netty.handler.codec.ByteToMessageDecoder.channelRead",
                        "io.netty.channel.nio.NioEventLoop.run", "io.netty.util.internal.PlatformDependent.hashCodeAscii",
                        "io.netty.buffer.search.KmpSearchProcessorFactory.newSearchProcessor", "com.sun.jna.Native.free",
                        "com.sun.jna.ptr.IntByReference.<init>", "com.example.netty.buffer.Pool.take"}) {
    EXPECT_FALSE(frames.matches(f)) << f;
  }
}

TEST(AllocatorFrames, ExtraPatternsAddToTheList) {
  AllocatorFrames frames({"pool_.*"});
  EXPECT_TRUE(frames.matches("pool_get"));
  EXPECT_TRUE(frames.matches("malloc"));
  EXPECT_FALSE(frames.matches("get_pool"));
}

}  // namespace
}  // namespace heapdrift
