// The symbolizer's caches of a module's DWARF (scope trees read once and walked again,
// names and call sites kept per scope, demangled names per scope) must answer every
// address as a fresh Symbolizer does, whatever was looked up before and in which order.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "symbolizer.h"
#include "test_support.h"

namespace heapdrift::symbolizer {
namespace {

using test::LoadedFixture;

Options isolated() {
  Options o;
  o.system_debug_dir = false;
  o.debuginfod = false;
  return o;
}

// Runtime addresses over the fixture's code, at most ~`count` of them evenly spread.
std::vector<uint64_t> code_addresses(size_t count) {
  const auto& f = LoadedFixture::get();
  std::vector<uint64_t> out;
  for (const Segment& s : f.desc().segments) {
    if ((s.flags & 1) == 0) continue;  // PF_X
    uint64_t step = std::max<uint64_t>(1, s.memsz / count);
    for (uint64_t a = s.vaddr; a < s.vaddr + s.memsz; a += step) out.push_back(f.desc().load_bias + a);
  }
  return out;
}

std::vector<std::vector<SymbolFrame>> symbolize_all(Symbolizer& symbolizer, const ProcessImage& image,
                                                    const std::vector<uint64_t>& addresses) {
  std::vector<std::vector<SymbolFrame>> out;
  for (uint64_t a : addresses) out.push_back(symbolizer.symbolize(image, a, false));
  return out;
}

TEST(SymbolizerWalkCache, WarmAnswersAreTheColdOnesInAnyOrder) {
  const auto& f = LoadedFixture::get();
  std::vector<uint64_t> addresses = code_addresses(1500);
  ASSERT_GT(addresses.size(), 100u);

  Symbolizer forward(isolated());
  ProcessImage forward_image = forward.load(f.modules);
  auto warm = symbolize_all(forward, forward_image, addresses);

  std::vector<uint64_t> reversed(addresses.rbegin(), addresses.rend());
  Symbolizer backward(isolated());
  ProcessImage backward_image = backward.load(f.modules);
  auto warm_reversed = symbolize_all(backward, backward_image, reversed);
  std::reverse(warm_reversed.begin(), warm_reversed.end());

  size_t inlined = 0;
  for (size_t i = 0; i < addresses.size(); ++i) {
    // Cold: a Symbolizer that has seen nothing else of the module.
    Symbolizer fresh(isolated());
    ProcessImage fresh_image = fresh.load(f.modules);
    const auto& cold = fresh.symbolize(fresh_image, addresses[i], false);
    ASSERT_EQ(warm[i], cold) << "address 0x" << std::hex << addresses[i];
    ASSERT_EQ(warm_reversed[i], cold) << "address 0x" << std::hex << addresses[i];
    inlined += cold.size() > 1;
  }
  // The fixture's inlined chains were among them: the walk cache was exercised.
  EXPECT_GT(inlined, 0u);
}

}  // namespace
}  // namespace heapdrift::symbolizer
