#include "filters/match/bloom_filter.hpp"

#include <cmath>

namespace takedown::filters {

double BloomFilter::expected_false_positive_rate(std::size_t keys, Params params) {
  if (keys == 0) return 0.0;
  // Keys land in blocks as Poisson(lambda). In a block holding i keys each 32-bit lane has had i
  // bits set at random, so a foreign query finds all 8 of its bits set with probability
  // (1 - (31/32)^i)^8.
  const double lambda = static_cast<double>(keys) / params.blocks;
  const double keep = 1.0 - 1.0 / 32.0;
  double rate = 0.0;
  double poisson = std::exp(-lambda);  // P(i = 0)
  const int limit = static_cast<int>(lambda + 12.0 * std::sqrt(lambda) + 30.0);
  for (int i = 0; i <= limit; ++i) {
    if (i > 0) poisson *= lambda / i;
    rate += poisson * std::pow(1.0 - std::pow(keep, double(i)), double(kProbes));
  }
  return rate;
}

BloomFilter::Params BloomFilter::params_for(std::size_t keys, double target_rate) {
  if (keys == 0) return Params{1, kProbes};
  // Grow bits per key in small steps until the rate meets the target.
  for (double bits_per_key = 2.0; bits_per_key < 64.0; bits_per_key += 0.25) {
    const double blocks = std::ceil(keys * bits_per_key / kBlockBits);
    if (blocks > 4294967295.0) break;
    const Params params{static_cast<std::uint32_t>(blocks), kProbes};
    if (expected_false_positive_rate(keys, params) <= target_rate) return params;
  }
  return Params{static_cast<std::uint32_t>(std::ceil(keys * 64.0 / kBlockBits)), kProbes};
}

void BloomFilter::insert(std::span<std::uint64_t> words, Params params, std::uint64_t hash) {
  std::uint64_t* block = words.data() + block_index(hash, params.blocks) * kWordsPerBlock;
  std::uint32_t lanes[kProbes];
  std::memcpy(lanes, block, sizeof lanes);
  const std::uint32_t key = lane_key(hash);
  for (unsigned i = 0; i < kProbes; ++i) lanes[i] |= lane_bit(key, i);
  std::memcpy(block, lanes, sizeof lanes);
}

}  // namespace takedown::filters
