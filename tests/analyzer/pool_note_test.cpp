// pool_note: which sites get the note that a pool's blocks are charged to whichever
// request found the pool full.
#include "pool_note.h"

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

TEST(PoolNote, JniGlobalReferencesSayHowToCountThem) {
  FrameTable table;
  // As HotSpot 17's libjvm names the frames of a NewGlobalRef that found its blocks full.
  auto frames = stack(table, {"OopStorage::Block::new_block", "OopStorage::try_add_block",
                              "OopStorage::block_for_allocation", "OopStorage::allocate", "JNIHandles::make_global",
                              "jni_NewGlobalRef", "Java_GlobalRefLeak_dispatch", "GlobalRefLeak.dispatch"});
  auto note = pool_note(frames, table);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("JNI global refs"), std::string::npos) << *note;
}

TEST(PoolNote, OtherHandlesOfTheJvmGetTheGeneralNote) {
  FrameTable table;
  auto frames = stack(table, {"OopStorage::Block::new_block", "OopStorage::allocate", "WeakHandle::WeakHandle",
                              "ResolvedMethodTable::add_method"});
  auto note = pool_note(frames, table);
  ASSERT_TRUE(note);
  EXPECT_EQ(note->find("JNI"), std::string::npos) << *note;
  EXPECT_NE(note->find("OopStorage"), std::string::npos) << *note;
}

TEST(PoolNote, OrdinarySitesAndAFarPoolFrameGetNone) {
  FrameTable table;
  EXPECT_FALSE(pool_note(stack(table, {"codec::FrameCache::retain", "Java_NativeCodec_encode0"}), table));
  EXPECT_FALSE(pool_note({}, table));
  // A pool deep down the stack is not what allocated this block.
  std::vector<std::string> deep(8, "Parser::parse");
  deep.push_back("OopStorage::allocate");
  EXPECT_FALSE(pool_note(stack(table, deep), table));
}

}  // namespace
}  // namespace heapdrift
