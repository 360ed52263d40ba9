#include "filters/match/bloom_filter.hpp"

#include <cmath>

namespace takedown::filters {

double BloomFilter::expected_false_positive_rate(std::size_t keys, Params params) {
  if (keys == 0) return 0.0;
  // Keys land in blocks as Poisson(lambda). A block holding i keys answers a foreign query
  // positively with probability (1 - (1 - 1/512)^(k*i))^k.
  const double lambda = static_cast<double>(keys) / params.blocks;
  const double keep = 1.0 - 1.0 / kBlockBits;
  double rate = 0.0;
  double poisson = std::exp(-lambda);  // P(i = 0)
  const int limit = static_cast<int>(lambda + 12.0 * std::sqrt(lambda) + 30.0);
  for (int i = 0; i <= limit; ++i) {
    if (i > 0) poisson *= lambda / i;
    const double per_block =
        std::pow(1.0 - std::pow(keep, double(params.probes) * i), double(params.probes));
    rate += poisson * per_block;
  }
  return rate;
}

BloomFilter::Params BloomFilter::params_for(std::size_t keys, double target_rate) {
  if (keys == 0) return Params{1, 1};
  // Grow bits per key in small steps; at each size take the probe count with the lowest rate.
  for (double bits_per_key = 2.0; bits_per_key < 64.0; bits_per_key += 0.25) {
    const double blocks_f = std::ceil(keys * bits_per_key / kBlockBits);
    if (blocks_f > 4294967295.0) break;
    Params best{static_cast<std::uint32_t>(blocks_f), 1};
    double best_rate = 1.0;
    for (std::uint32_t k = 1; k <= kMaxProbes; ++k) {
      const double rate = expected_false_positive_rate(keys, Params{best.blocks, k});
      if (rate < best_rate) {
        best_rate = rate;
        best.probes = k;
      }
    }
    if (best_rate <= target_rate) return best;
  }
  return Params{static_cast<std::uint32_t>(std::ceil(keys * 64.0 / kBlockBits)), kMaxProbes};
}

void BloomFilter::insert(std::span<std::uint64_t> words, Params params, std::uint64_t hash) {
  std::uint64_t* block = words.data() + block_index(hash, params.blocks) * kWordsPerBlock;
  std::uint64_t bits = remix(hash);
  for (std::uint32_t i = 0; i < params.probes; ++i, bits >>= 9) {
    const unsigned bit = static_cast<unsigned>(bits & (kBlockBits - 1));
    block[bit >> 6] |= std::uint64_t{1} << (bit & 63);
  }
}

}  // namespace takedown::filters
