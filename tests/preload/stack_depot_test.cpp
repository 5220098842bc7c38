#include "stack_depot.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "snapshot_format.h"

namespace heapdrift {
namespace {

std::vector<uintptr_t> make_stack(uint32_t n) {
  std::vector<uintptr_t> frames;
  for (uint32_t i = 0; i < 1 + n % 40; ++i) frames.push_back(0x400000 + n * 64 + i);
  return frames;
}

TEST(StackDepot, SameStackSameIdDistinctStacksDistinctIds) {
  StackDepot depot(1000);
  auto a = make_stack(1), b = make_stack(2);
  uint32_t ia = depot.intern(a.data(), a.size(), 0);
  uint32_t ib = depot.intern(b.data(), b.size(), 0);
  EXPECT_NE(ia, format::kOverflowStackId);
  EXPECT_NE(ia, ib);
  EXPECT_EQ(depot.intern(a.data(), a.size(), 0), ia);
  // Flags are part of the identity: a truncated stack is a different record.
  EXPECT_NE(depot.intern(a.data(), a.size(), format::kStackTruncated), ia);
  // A prefix is a different stack.
  EXPECT_NE(depot.intern(a.data(), a.size() - 1, 0), ia);
  const StackRecord* r = depot.get(ia);
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->depth, a.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(r->frames[i], a[i]);
  EXPECT_EQ(depot.get(0), nullptr);
  EXPECT_EQ(depot.get(12345), nullptr);
}

// Interpreted frames' methods are part of a stack: the same return addresses with
// another interpreted method are another stack (another site once named).
TEST(StackDepot, InterpretedMethodsArePartOfTheIdentity) {
  StackDepot depot(1000);
  const uint16_t with = format::kStackInterpreterMethods;
  std::vector<uintptr_t> frames = {0x401000, 0x7000a0, 0x7000a0, 0x402000};
  std::vector<uintptr_t> m1 = {0, 0xbeef00, 0xbeef80, 0}, m2 = {0, 0xbeef00, 0xcafe00, 0};
  uint32_t plain = depot.intern(frames.data(), frames.size(), 0);
  uint32_t a = depot.intern(frames.data(), frames.size(), with, m1.data());
  uint32_t b = depot.intern(frames.data(), frames.size(), with, m2.data());
  EXPECT_NE(a, plain);
  EXPECT_NE(a, b);
  EXPECT_NE(b, plain);
  std::vector<uintptr_t> m1_again = m1;
  EXPECT_EQ(depot.intern(frames.data(), frames.size(), with, m1_again.data()), a);
  // Methods without the flag are not looked at.
  EXPECT_EQ(depot.intern(frames.data(), frames.size(), 0, m2.data()), plain);
  const StackRecord* r = depot.get(b);
  ASSERT_NE(r, nullptr);
  ASSERT_NE(r->methods(), nullptr);
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(r->frames[i], frames[i]);
    EXPECT_EQ(r->methods()[i], m2[i]);
  }
  EXPECT_EQ(depot.get(plain)->methods(), nullptr);
}

// The caller's last id is a guess, taken only for the stack it names: one frame,
// the depth, the flags or an interpreted method apart, the stack keeps its own id.
TEST(StackDepot, TheLastIdIsTakenOnlyForTheStackItNames) {
  StackDepot depot(1000);
  const uint16_t with = format::kStackInterpreterMethods;
  std::vector<uintptr_t> a = {0x401000, 0x7000a0, 0x402000}, b = {0x401000, 0x7000a8, 0x402000};
  std::vector<uintptr_t> m1 = {0, 0xbeef00, 0}, m2 = {0, 0xcafe00, 0};
  const uint32_t ia = depot.intern(a.data(), a.size(), 0);
  const uint32_t ib = depot.intern(b.data(), b.size(), 0);
  const uint32_t prefix = depot.intern(a.data(), a.size() - 1, 0);
  const uint32_t truncated = depot.intern(a.data(), a.size(), format::kStackTruncated);
  const uint32_t a1 = depot.intern(a.data(), a.size(), with, m1.data());
  const uint32_t a2 = depot.intern(a.data(), a.size(), with, m2.data());
  std::vector<uint32_t> ids = {ia, ib, prefix, truncated, a1, a2};
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = i + 1; j < ids.size(); ++j) ASSERT_NE(ids[i], ids[j]);
  }
  for (uint32_t last : {ia, ib, prefix, truncated, a1, a2, 0u, 999u}) {
    SCOPED_TRACE(last);
    EXPECT_EQ(depot.intern(a.data(), a.size(), 0, nullptr, last), ia);
    EXPECT_EQ(depot.intern(b.data(), b.size(), 0, nullptr, last), ib);
    EXPECT_EQ(depot.intern(a.data(), a.size() - 1, 0, nullptr, last), prefix);
    EXPECT_EQ(depot.intern(a.data(), a.size(), format::kStackTruncated, nullptr, last), truncated);
    EXPECT_EQ(depot.intern(a.data(), a.size(), with, m1.data(), last), a1);
    EXPECT_EQ(depot.intern(a.data(), a.size(), with, m2.data(), last), a2);
  }
  EXPECT_EQ(depot.size(), ids.size());
}

TEST(StackDepot, ConcurrentInternAgreesOnIds) {
  StackDepot depot(1 << 20);
  const uint32_t distinct = 20000;
  const int threads = 4;
  std::vector<std::vector<uint32_t>> ids(threads, std::vector<uint32_t>(distinct));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      // Each thread interns every stack, in its own order.
      for (uint32_t k = 0; k < distinct; ++k) {
        uint32_t n = (k * 7919 + t * 104729) % distinct;
        auto s = make_stack(n);
        ids[t][n] = depot.intern(s.data(), s.size(), 0);
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(depot.size(), distinct);
  std::vector<bool> seen(distinct + 1);
  for (uint32_t n = 0; n < distinct; ++n) {
    for (int t = 1; t < threads; ++t) ASSERT_EQ(ids[t][n], ids[0][n]);
    uint32_t id = ids[0][n];
    ASSERT_GE(id, 1u);
    ASSERT_LE(id, distinct);
    ASSERT_FALSE(seen[id]) << "two stacks share id " << id;
    seen[id] = true;
    const StackRecord* r = depot.get(id);
    ASSERT_NE(r, nullptr);
    auto s = make_stack(n);
    ASSERT_EQ(r->depth, s.size());
    EXPECT_EQ(r->frames[0], s[0]);
  }
}

TEST(StackDepot, ReturnsTheOverflowIdPastItsCap) {
  StackDepot depot(10);
  for (uint32_t n = 0; n < 10; ++n) {
    auto s = make_stack(n);
    EXPECT_NE(depot.intern(s.data(), s.size(), 0), format::kOverflowStackId);
  }
  auto s = make_stack(99);
  EXPECT_EQ(depot.intern(s.data(), s.size(), 0), format::kOverflowStackId);
  EXPECT_EQ(depot.dropped(), 1u);
  auto known = make_stack(3);
  EXPECT_NE(depot.intern(known.data(), known.size(), 0), format::kOverflowStackId);
}

}  // namespace
}  // namespace heapdrift
