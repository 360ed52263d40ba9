// BloomFilter: a cache-line-blocked bloom filter over name hashes, read straight from a snapshot.
//
// Each key sets `probes` bits inside one 64-byte block, so a query touches one cache line. The
// block comes from the high half of the XXH3 hash and the in-block bits from a remix of the whole
// hash. Sizing is exact for the blocked layout: expected_false_positive_rate() sums the per-block
// rate over the Poisson spread of keys per block, and params_for() picks the smallest size (and
// the best probe count for it) that meets a target rate. A blocked filter needs a few more bits
// per key than a classic one for the same rate; the formula accounts for that.
//
// The view does not own its words. Lookups are const, do not allocate, and are safe on any thread.
// insert() is for builders only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace takedown::filters {

class BloomFilter {
 public:
  static constexpr std::size_t kBlockBits = 512;
  static constexpr std::size_t kWordsPerBlock = kBlockBits / 64;
  static constexpr unsigned kMaxProbes = 7;  // 7 probes x 9 bits fit one 64-bit remix

  struct Params {
    std::uint32_t blocks = 1;
    std::uint32_t probes = 1;
  };
  static Params params_for(std::size_t keys, double target_rate);
  static double expected_false_positive_rate(std::size_t keys, Params params);

  BloomFilter() = default;
  BloomFilter(std::span<const std::uint64_t> words, Params params)
      : words_(words.data()), params_(params) {}

  // Sets the key's bits in `words` (blocks * kWordsPerBlock of them). Builders only.
  static void insert(std::span<std::uint64_t> words, Params params, std::uint64_t hash);

  // No allocation, one cache line, safe on any thread. Every probe is read, without a branch
  // on its bit: an early exit at the first clear bit mispredicts about once per query (a clear
  // bit is a coin toss), which costs more than reading the few words left of a line in cache.
  bool maybe_contains(std::uint64_t hash) const {
    const std::uint64_t* block = words_ + block_index(hash, params_.blocks) * kWordsPerBlock;
    std::uint64_t bits = remix(hash);
    std::uint64_t missing = 0;
    for (std::uint32_t i = 0; i < params_.probes; ++i, bits >>= 9) {
      const unsigned bit = static_cast<unsigned>(bits & (kBlockBits - 1));
      missing |= ~block[bit >> 6] & (std::uint64_t{1} << (bit & 63));
    }
    return missing == 0;
  }

  void prefetch(std::uint64_t hash) const {
    __builtin_prefetch(words_ + block_index(hash, params_.blocks) * kWordsPerBlock);
  }

  Params params() const { return params_; }

 private:
  static std::uint32_t block_index(std::uint64_t hash, std::uint32_t blocks) {
    return static_cast<std::uint32_t>(((hash >> 32) * blocks) >> 32);
  }
  static std::uint64_t remix(std::uint64_t hash) {
    hash ^= hash >> 31;
    hash *= 0x9E3779B97F4A7C15ULL;
    return hash ^ (hash >> 29);
  }

  const std::uint64_t* words_ = nullptr;
  Params params_{};
};

}  // namespace takedown::filters
