// The reader against damaged input: every flipped byte and every truncation of a
// valid file is rejected with a one-line SnapshotError (never a crash, never a wrong
// successful read), and payloads that are garbage behind a valid checksum either
// parse into a consistent model or are rejected the same way.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "snapshot_builder.h"
#include "snapshot_reader.h"

namespace heapdrift::test {
namespace {

// Parses `bytes`; returns true if they were rejected with a well-formed error.
::testing::AssertionResult rejected(const std::vector<uint8_t>& bytes) {
  try {
    parse_snapshot(bytes, "damaged.hds");
  } catch (const SnapshotError& e) {
    std::string what = e.what();
    if (what.rfind("damaged.hds: ", 0) != 0 || what.find('\n') != std::string::npos) {
      return ::testing::AssertionFailure() << "badly formed message: " << what;
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "accepted";
}

void expect_every_flipped_byte_rejected(const std::vector<uint8_t>& good) {
  ASSERT_FALSE(rejected(good));
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<uint8_t> bad = good;
      bad[i] ^= mask;
      EXPECT_TRUE(rejected(bad)) << "byte " << i << " of " << good.size() << " ^ " << int(mask);
    }
  }
}

void expect_every_truncation_rejected(const std::vector<uint8_t>& good) {
  for (size_t len = 0; len < good.size(); ++len) {
    EXPECT_TRUE(rejected(std::vector<uint8_t>(good.begin(), good.begin() + len))) << "length " << len;
  }
}

TEST(SnapshotCorruption, EveryFlippedByteIsRejected) {
  expect_every_flipped_byte_rejected(encode_snapshot(small_snapshot()));
}

TEST(SnapshotCorruption, EveryTruncationIsRejected) {
  expect_every_truncation_rejected(encode_snapshot(rich_snapshot()));
}

// A compressed file: the checksum of the compressed bytes finds what zstd would not
// (a spare bit of a header, a code that no symbol uses).
TEST(SnapshotCorruption, EveryFlippedByteAndEveryTruncationOfACompressedFileIsRejected) {
  const std::vector<uint8_t> good = encode_snapshot(small_snapshot(), Compression::kZstd);
  expect_every_flipped_byte_rejected(good);
  expect_every_truncation_rejected(good);
}

// What a successful parse promises: every sample's stack is there.
void expect_consistent(const Snapshot& s) {
  for (const Sample& x : s.samples) {
    EXPECT_TRUE(x.stack_id == format::kOverflowStackId || s.stacks.contains(x.stack_id));
  }
}

// Damages payloads but re-frames them, so the checksum is valid and the section
// decoders themselves face the garbage.
TEST(SnapshotCorruption, GarbagePayloadsBehindAValidChecksumNeverCrash) {
  std::mt19937_64 rng(20240601);
  const std::vector<RawSection> base = encode_sections(rich_snapshot());
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<RawSection> sections = base;
    RawSection& victim = sections[rng() % sections.size()];
    switch (rng() % 4) {
      case 0:  // a few random bytes changed
        for (int n = 1 + rng() % 3; n > 0 && !victim.payload.empty(); --n) {
          victim.payload[rng() % victim.payload.size()] = static_cast<uint8_t>(rng());
        }
        break;
      case 1:  // cut short
        victim.payload.resize(victim.payload.empty() ? 0 : rng() % victim.payload.size());
        break;
      case 2:  // grown with junk
        for (int n = 1 + rng() % 16; n > 0; --n) victim.payload.push_back(static_cast<uint8_t>(rng()));
        break;
      case 3:  // replaced by noise
        victim.payload.resize(rng() % 64);
        for (uint8_t& b : victim.payload) b = static_cast<uint8_t>(rng());
        break;
    }
    const std::vector<uint8_t> file = encode_file(sections);
    try {
      Snapshot s = parse_snapshot(file, "fuzzed.hds");
      ++accepted;
      expect_consistent(s);
      // What was accepted must survive a second trip unchanged.
      EXPECT_EQ(parse_snapshot(encode_snapshot(s), "again.hds"), s) << "round " << round;
    } catch (const SnapshotError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  // Changed bytes inside strings or values are legitimately accepted; if nothing
  // ever is, the mutations are not reaching the decoders.
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace heapdrift::test
