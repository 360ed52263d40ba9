// BloomFilter: a split-block bloom filter over name hashes, read straight from a snapshot.
//
// The design of Putze, Sanders and Singler's blocked filters as Impala and Parquet split them: a
// key picks one 256-bit block (32 bytes, half a cache line) from the high half of its suffix hash
// (name_hash.hpp), and sets one bit in each of the block's eight 32-bit words, the bit of word i
// being the top 5 bits of (k * salt_i) mod 2^32 for k the low half of a remix of the hash. A query
// is then one load, one vector multiply, shift and test (AVX2), with no loop and no branch on the
// probes; without AVX2 a scalar loop does the same. Eight bits in a 256-bit block take about 7%
// more memory than the best blocked filter with seven probes for the same rate (10.75 bits a key
// for 1%), for a test that costs a few instructions instead of a dependent loop.
//
// Besides the names themselves, a snapshot's filter holds a below key for every parent of a listed
// name (below_key()), which lets the matcher stop walking a name at its first unlisted parent.
//
// Sizing is exact for this layout: expected_false_positive_rate() sums the per-block rate over the
// Poisson spread of keys per block, and params_for() picks the fewest blocks that meet a target
// rate.
//
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace takedown::filters {

class BloomFilter {
 public:
  static constexpr std::size_t kBlockBits = 256;
  static constexpr std::size_t kWordsPerBlock = kBlockBits / 64;  // 64-bit words, as stored
  static constexpr unsigned kProbes = 8;                          // one bit in each 32-bit lane

  struct Params {
    std::uint32_t blocks = 1;
    std::uint32_t probes = kProbes;
  };
  static Params params_for(std::size_t keys, double target_rate);
  static double expected_false_positive_rate(std::size_t keys, Params params);

  BloomFilter() = default;
  // Snapshot sections are 64-byte aligned, so a block never straddles a cache line there.
  BloomFilter(std::span<const std::uint64_t> words, Params params)
      : words_(words.data()), params_(params) {}

  // Sets the key's bits in `words` (blocks * kWordsPerBlock of them). Builders only.
  static void insert(std::span<std::uint64_t> words, Params params, std::uint64_t hash);

  // No allocation, half a cache line, safe on any thread.
  bool maybe_contains(std::uint64_t hash) const {
    const std::uint64_t* block = words_ + block_index(hash, params_.blocks) * kWordsPerBlock;
    const std::uint32_t key = lane_key(hash);
#ifdef __AVX2__
    const __m256i salts = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kSalts));
    const __m256i product = _mm256_mullo_epi32(_mm256_set1_epi32(static_cast<int>(key)), salts);
    const __m256i mask = _mm256_sllv_epi32(_mm256_set1_epi32(1), _mm256_srli_epi32(product, 27));
    // testc: every bit of the mask is set in the block.
    const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
    return _mm256_testc_si256(bits, mask) != 0;
#else
    std::uint32_t lanes[kProbes];
    std::memcpy(lanes, block, sizeof lanes);
    std::uint32_t missing = 0;
    for (unsigned i = 0; i < kProbes; ++i) missing |= ~lanes[i] & lane_bit(key, i);
    return missing == 0;
#endif
  }

  // The key that says "some listed name lies below the name of `hash`" (a snapshot inserts it for
  // every proper suffix of two or more labels of its names). Only the low half differs, so it
  // picks the same block as `hash` itself: testing both costs one cache line.
  static std::uint64_t below_key(std::uint64_t hash) { return hash ^ 0xA5C3D1E9u; }

  void prefetch(std::uint64_t hash) const {
    __builtin_prefetch(words_ + block_index(hash, params_.blocks) * kWordsPerBlock);
  }

  Params params() const { return params_; }

 private:
  // Odd multipliers, one per 32-bit lane of a block.
  alignas(32) static constexpr std::uint32_t kSalts[kProbes] = {
      0x9E3779B1u, 0x85EBCA77u, 0xC2B2AE3Du, 0x27D4EB2Fu,
      0x165667B1u, 0xD3A2646Du, 0xFD7046C5u, 0xB55A4F09u};

  static std::uint32_t block_index(std::uint64_t hash, std::uint32_t blocks) {
    return static_cast<std::uint32_t>(((hash >> 32) * blocks) >> 32);
  }
  static std::uint32_t lane_key(std::uint64_t hash) {
    hash ^= hash >> 31;
    hash *= 0x9E3779B97F4A7C15ULL;
    return static_cast<std::uint32_t>(hash ^ (hash >> 29));
  }
  static std::uint32_t lane_bit(std::uint32_t key, unsigned lane) {
    return std::uint32_t{1} << ((key * kSalts[lane]) >> 27);
  }

  const std::uint64_t* words_ = nullptr;
  Params params_{};
};

}  // namespace takedown::filters
