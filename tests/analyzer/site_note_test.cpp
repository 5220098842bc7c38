// site_note: which sites get a note on where their memory is really kept (a pool's
// blocks, a thread's).
#include "site_note.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace heapdrift {
namespace {

std::vector<FrameId> stack(FrameTable& table, const std::vector<std::string>& functions) {
  std::vector<FrameId> ids;
  for (const std::string& function : functions) {
    Frame f;
    f.function = f.signature = function;
    f.kind = function.find('.') != std::string::npos ? FrameKind::kJava : FrameKind::kJvm;
    ids.push_back(table.intern(f));
  }
  return ids;
}

TEST(SiteNote, JniGlobalReferencesSayHowToCountThem) {
  FrameTable table;
  // As HotSpot 17's libjvm names the frames of a NewGlobalRef that found its blocks full.
  auto frames = stack(table, {"OopStorage::Block::new_block", "OopStorage::try_add_block",
                              "OopStorage::block_for_allocation", "OopStorage::allocate", "JNIHandles::make_global",
                              "jni_NewGlobalRef", "Java_GlobalRefLeak_dispatch", "GlobalRefLeak.dispatch"});
  auto note = site_note(frames, table);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("JNI global refs"), std::string::npos) << *note;
}

TEST(SiteNote, OtherHandlesOfTheJvmGetTheGeneralNote) {
  FrameTable table;
  auto frames = stack(table, {"OopStorage::Block::new_block", "OopStorage::allocate", "WeakHandle::WeakHandle",
                              "ResolvedMethodTable::add_method"});
  auto note = site_note(frames, table);
  ASSERT_TRUE(note);
  EXPECT_EQ(note->find("JNI"), std::string::npos) << *note;
  EXPECT_NE(note->find("OopStorage"), std::string::npos) << *note;
}

TEST(SiteNote, TheJvmsBlocksOfAStartedThreadSayThreadsNeverEnd) {
  FrameTable table;
  // As HotSpot 17 names the frames of a thread's blocks allocated by Thread.start.
  auto frames = stack(table, {"ParkEvent::Allocate", "Thread::Thread", "JavaThread::JavaThread", "JVM_StartThread",
                              "java.lang.Thread.start0", "java.lang.Thread.start", "ThreadLeak.startWorker"});
  auto note = site_note(frames, table);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("threads that are started and never end"), std::string::npos) << *note;
}

TEST(SiteNote, TheJvmsMonitorsSayTheyAreFreedInBatches) {
  FrameTable table;
  // As HotSpot 17 names the frames of the monitors Thread.join inflates (ThreadChurn,
  // recorded for 8 s: the site grew from 48 KiB to 902 KiB and was a suspect).
  auto frames = stack(table, {"ObjectSynchronizer::inflate", "ObjectSynchronizer::wait", "JVM_MonitorWait",
                              "java.lang.Object.wait", "java.lang.Thread.join", "java.lang.Thread.join",
                              "ThreadChurn.main"});
  auto note = site_note(frames, table);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("in batches"), std::string::npos) << *note;
  EXPECT_NE(note->find("60 s"), std::string::npos) << *note;
}

TEST(SiteNote, TheJitsCompiledMethodsPointToCodeGrowth) {
  FrameTable table;
  // As Temurin 25 names the frames of a C1 compilation's install (ClassLoaderLeak hot,
  // recorded for 8 s: 2.5 to 13.6 MiB, 43 % of the live heap at the end), and as JDK 17
  // names those of the oop maps it mallocs for each compiled method (CodeChurn: 512 KiB
  // sampled there in a minute).
  const std::vector<std::vector<std::string>> installs = {
      {"nmethod::new_nmethod", "ciEnv::register_method", "Compilation::install_code", "Compilation::compile_method",
       "Compilation::Compilation", "Compiler::compile_method", "CompileBroker::invoke_compiler_on_method",
       "CompileBroker::compiler_thread_loop"},
      {"ImmutableOopMapSet::build_from", "CodeBlob::CodeBlob", "CompiledMethod::CompiledMethod", "nmethod::nmethod",
       "nmethod::new_nmethod", "ciEnv::register_method", "Compilation::install_code", "Compilation::compile_method"}};
  for (const auto& install : installs) {
    auto note = site_note(stack(table, install), table);
    ASSERT_TRUE(note) << install.front();
    EXPECT_NE(note->find("\"Compiled code that keeps growing\""), std::string::npos) << *note;
    EXPECT_NE(note->find("its oop maps"), std::string::npos) << *note;
  }
}

TEST(SiteNote, JniLocalReferencesSayWhenTheyAreFreed) {
  FrameTable table;
  // A native thread attached to the JVM, making local references in a loop.
  auto frames = stack(table, {"JNIHandleBlock::allocate_block", "JNIHandleBlock::allocate_handle", "jni_NewStringUTF",
                              "poll_loop", "start_thread"});
  auto note = site_note(frames, table);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("DeleteLocalRef"), std::string::npos) << *note;
}

TEST(SiteNote, OrdinarySitesAndAFarPoolFrameGetNone) {
  FrameTable table;
  EXPECT_FALSE(site_note(stack(table, {"codec::FrameCache::retain", "Java_NativeCodec_encode0"}), table));
  EXPECT_FALSE(site_note({}, table));
  // A pool deep down the stack is not what allocated this block.
  std::vector<std::string> deep(8, "Parser::parse");
  deep.push_back("OopStorage::allocate");
  EXPECT_FALSE(site_note(stack(table, deep), table));
}

}  // namespace
}  // namespace heapdrift
