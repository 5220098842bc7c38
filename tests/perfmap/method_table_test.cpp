// The agent's jmethodID -> (log id, perf-map name) table: mmap-backed, grows, and is
// cleared when a class unload may have freed jmethodIDs.
#include <gtest/gtest.h>

#include <string>

#include "method_table.h"

namespace {

using heapdrift::perfmap::MethodTable;

const void* key(uintptr_t i) { return reinterpret_cast<const void*>(0x7f0000000000 + 8 * i); }

TEST(MethodTable, FindsWhatWasInsertedAcrossGrowth) {
  MethodTable table;
  EXPECT_EQ(table.find(key(1)), nullptr);
  for (uint32_t i = 1; i <= 50000; ++i) {
    std::string n = std::to_string(i);
    ASSERT_NE(table.insert(key(i), i, {"p.C", ".", "m", n}), nullptr);
  }
  EXPECT_EQ(table.size(), 50000u);
  for (uint32_t i = 1; i <= 50000; ++i) {
    const MethodTable::Entry* e = table.find(key(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->id, i);
    EXPECT_EQ(e->name_view(), "p.C.m" + std::to_string(i));
  }
  EXPECT_EQ(table.find(key(50001)), nullptr);
  EXPECT_EQ(table.find(nullptr), nullptr);
}

TEST(MethodTable, ClearForgetsEverythingAndGivesMemoryBack) {
  MethodTable table;
  std::string big(300 * 1024, 'x');  // larger than an arena chunk
  for (uint32_t i = 1; i <= 20000; ++i) table.insert(key(i), i, {"a.very.long.package.name.Klass", ".", "method", "()V"});
  table.insert(key(0), 99, {big});
  EXPECT_EQ(table.find(key(0))->name_view().size(), big.size());
  size_t before = table.mapped_bytes();
  table.clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.find(key(7)), nullptr);
  EXPECT_EQ(table.find(key(0)), nullptr);
  EXPECT_LT(table.mapped_bytes(), before);
  // A reused jmethodID is named afresh.
  ASSERT_NE(table.insert(key(7), 12345, {"q.Other", ".", "n", "()J"}), nullptr);
  EXPECT_EQ(table.find(key(7))->id, 12345u);
  EXPECT_EQ(table.find(key(7))->name_view(), "q.Other.n()J");
}

}  // namespace
