// SuffixSet's lookup verifies every tag hit against the name in the arena. The hash is the
// caller's, so these tests give a name the tag of a stored one and check that only the same bytes
// match: every length up to 130 bytes (past any vector width a compare may use), a difference at
// every position, a length off by one, and a name stored at the very end of the arena.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "filters/match/suffix_set.hpp"

namespace takedown::testing {
namespace {

using filters::SuffixSet;
using filters::SuffixSlot;

// A home slot of 0 in a table of two: any hash below 2^63.
constexpr std::uint64_t kHash = 0x1234567890ABCDEFull;

std::string name_of(std::size_t length) {
  std::string name;
  for (std::size_t i = 0; i < length; ++i) name.push_back(static_cast<char>('a' + i % 26));
  return name;
}

int rules_for(const SuffixSet& set, std::string_view name) {
  int visits = 0;
  set.for_each_rule(kHash, name, [&](const SuffixSlot&) { ++visits; });
  return visits;
}

TEST(SuffixSet, OnlyTheSameBytesMatchATagHitAtEveryLength) {
  for (std::size_t length = 1; length <= 130; ++length) {
    const std::string stored = name_of(length);
    // The name last in an arena of exactly its size: the compare reads nothing past it.
    std::vector<std::uint8_t> arena(1 + length);
    arena[0] = static_cast<std::uint8_t>(length);
    std::copy(stored.begin(), stored.end(), arena.begin() + 1);
    std::vector<SuffixSlot> slots(2);
    slots[0].tag = SuffixSet::tag_of(kHash);
    slots[0].name_ref = 0u << 2 | SuffixSlot::kApex | SuffixSlot::kBelow;
    ASSERT_EQ(SuffixSet::home_slot(kHash, slots.size()), 0u);
    const SuffixSet set(slots, arena);

    EXPECT_EQ(rules_for(set, stored), 1) << "length " << length;
    for (std::size_t at = 0; at < length; ++at) {
      std::string other = stored;
      other[at] = other[at] == 'z' ? 'y' : static_cast<char>(other[at] + 1);
      EXPECT_EQ(rules_for(set, other), 0) << "length " << length << ", byte " << at;
    }
    EXPECT_EQ(rules_for(set, stored + "a"), 0) << "length " << length;
    EXPECT_EQ(rules_for(set, std::string_view(stored).substr(0, length - 1)), 0)
        << "length " << length;
  }
}

}  // namespace
}  // namespace takedown::testing
