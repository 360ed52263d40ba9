// StreamGather: pieces in any order, repeated and overlapping, inside a fixed window.
#include "filters/flow/stream_gather.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace takedown::filters {
namespace {

struct Gather {
  explicit Gather(std::uint32_t capacity) : bytes(capacity), bits(capacity / 64) {
    g.bind(bytes.data(), bits.data(), capacity);
    g.clear();
  }
  GatherResult add(std::uint64_t offset, const std::string& s, OverlapPolicy p = OverlapPolicy::First) {
    return g.add(offset, {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}, p);
  }
  std::string prefix() const {
    return {reinterpret_cast<const char*>(g.prefix().data()), g.prefix().size()};
  }
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint64_t> bits;
  StreamGather g;
};

std::string pattern(std::size_t n, char seed = 'a') {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i % 26);
  return s;
}

TEST(StreamGather, InOrderPiecesMakeOnePrefix) {
  Gather g(512);
  const std::string all = pattern(300);
  EXPECT_EQ(g.add(0, all.substr(0, 100)).added, 100u);
  EXPECT_EQ(g.prefix(), all.substr(0, 100));
  EXPECT_EQ(g.add(100, all.substr(100)).added, 200u);
  EXPECT_EQ(g.prefix(), all);
}

TEST(StreamGather, AHoleHoldsThePrefixBackUntilFilled) {
  Gather g(512);
  const std::string all = pattern(257);
  g.add(130, all.substr(130));
  EXPECT_EQ(g.g.contiguous(), 0u);
  g.add(0, all.substr(0, 64));
  EXPECT_EQ(g.prefix(), all.substr(0, 64));
  g.add(64, all.substr(64, 66));
  EXPECT_EQ(g.prefix(), all);
}

TEST(StreamGather, RepeatedBytesAreNotAddedTwiceNorConflicts) {
  Gather g(512);
  const std::string all = pattern(200);
  g.add(0, all);
  const GatherResult again = g.add(50, all.substr(50, 100));
  EXPECT_EQ(again.added, 0u);
  EXPECT_EQ(again.conflicts, 0u);
}

TEST(StreamGather, OverlapThatDisagreesIsCountedAndSettledByPolicy) {
  for (OverlapPolicy policy : {OverlapPolicy::First, OverlapPolicy::Last}) {
    Gather g(512);
    g.add(0, std::string(100, 'x'));
    const GatherResult r = g.add(90, std::string(20, 'y'), policy);
    EXPECT_EQ(r.conflicts, 10u);
    EXPECT_EQ(r.added, 10u);
    const std::string expected = policy == OverlapPolicy::First
                                     ? std::string(100, 'x') + std::string(10, 'y')
                                     : std::string(90, 'x') + std::string(20, 'y');
    EXPECT_EQ(g.prefix(), expected) << to_string(policy);
  }
}

TEST(StreamGather, WhatLiesPastTheWindowIsLeftOutAndSaidSo) {
  Gather g(512);
  const GatherResult r = g.add(500, std::string(20, 'z'));
  EXPECT_TRUE(r.past_window);
  EXPECT_EQ(r.added, 12u);
  EXPECT_TRUE(g.add(512, "q").past_window);
  EXPECT_TRUE(g.add(~std::uint64_t{0} - 3, "qqqq").past_window);
  g.add(0, std::string(500, 'a'));
  EXPECT_TRUE(g.g.full());
}

TEST(StreamGather, ClearForgetsEverything) {
  Gather g(512);
  g.add(0, "abc");
  g.g.clear();
  EXPECT_EQ(g.g.contiguous(), 0u);
  EXPECT_EQ(g.add(0, "xyz").added, 3u);
  EXPECT_EQ(g.prefix(), "xyz");
}

// Every order of eight pieces, across word boundaries, rebuilds the same bytes.
TEST(StreamGather, AnyOrderOfPiecesRebuildsTheSameStream) {
  const std::string all = pattern(1000, 'A');
  const std::vector<std::pair<std::size_t, std::size_t>> pieces = {
      {0, 63}, {63, 65}, {128, 1}, {129, 191}, {320, 300}, {620, 7}, {627, 300}, {927, 73}};
  std::vector<std::size_t> order = {0, 1, 2, 3, 4, 5, 6, 7};
  int orders = 0;
  do {
    Gather g(1024);
    for (std::size_t i : order) g.add(pieces[i].first, all.substr(pieces[i].first, pieces[i].second));
    ASSERT_EQ(g.prefix(), all);
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()) && orders < 5000);
}

}  // namespace
}  // namespace takedown::filters
