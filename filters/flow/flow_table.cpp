#include "filters/flow/flow_table.hpp"

#include <emmintrin.h>

#include <algorithm>
#include <cstring>

#include "filters/match/name_hash.hpp"  // XXH3, inlined

namespace takedown::filters {

namespace {

std::uint32_t round_up_pow2(std::uint32_t n) {
  std::uint32_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

FlowTable::FlowTable(const FlowConfig& config, std::uint64_t ticks_per_second) {
  const std::uint32_t capacity =
      round_up_pow2(std::clamp(config.per_worker, FlowConfig::kMinFlows, FlowConfig::kMaxFlows));
  entries_ = TableArray<FlowEntry>(capacity);
  way_tags_ = TableArray<std::uint16_t>(capacity);
  occupied_.assign((capacity / kWays + 63) / 64, 0);
  presence_bits_.assign((std::size_t{1} << kPresenceBits) / 64, 0);
  presence_counts_.assign(std::size_t{1} << kPresenceBits, 0);
  for (FlowEntry& e : entries_) {
    e = FlowEntry{};  // the key zeroed too: keys compare as bytes
    e.state = FlowState::Free;
    e.gather = kNone;
  }
  bucket_mask_ = capacity / kWays - 1;
  const std::uint32_t slots = std::max<std::uint32_t>(1, config.reassembly_flows);
  // A multiple of 64, so the bitmap has whole words.
  const std::uint32_t bytes = (std::clamp(config.reassembly_bytes, FlowConfig::kMinReassemblyBytes,
                                          FlowConfig::kMaxReassemblyBytes) +
                               63) / 64 * 64;
  slot_bytes_ = TableArray<std::uint8_t>(std::size_t{slots} * bytes);
  slot_bits_ = TableArray<std::uint64_t>(std::size_t{slots} * (bytes / 64));
  slots_.resize(slots);
  for (std::uint32_t i = 0; i < slots; ++i) {
    slots_[i].owner = kNone;
    slots_[i].stream.bind(slot_bytes_.data() + std::size_t{i} * bytes,
                          slot_bits_.data() + std::size_t{i} * (bytes / 64), bytes);
  }
  free_list_.reserve(slots);
  for (std::uint32_t i = slots; i > 0; --i) free_list_.push_back(i - 1);
  gather_ticks_ = ticks_per_second * config.reassembly_timeout_ms / 1000;
  blocked_ticks_ = ticks_per_second * config.blocked_timeout_ms / 1000;
}

std::uint64_t FlowTable::hash(const FlowKey& key) { return XXH3_64bits(&key, sizeof key); }

bool FlowTable::expired(const FlowEntry& e, std::uint64_t now) const {
  switch (e.state) {
    case FlowState::Gathering:
    case FlowState::Passed:
      return now - e.last_seen > gather_ticks_;
    case FlowState::Blocked:
      return now - e.last_seen > blocked_ticks_;
    case FlowState::Free:
    case FlowState::Deciding:
      break;
  }
  return false;
}

void FlowTable::remove(std::uint32_t index, std::uint64_t FlowCounters::*outcome) {
  FlowEntry& e = entries_[index];
  if (e.state == FlowState::Free) return;
  if (outcome != nullptr) counters_.*outcome += 1;
  if (e.state == FlowState::Gathering && outcome != nullptr) counters_.abandoned += 1;
  release_slot(index);
  e.state = FlowState::Free;
  way_tags_[index] = 0;
  const std::uint32_t p = e.key.presence() >> (32 - kPresenceBits);
  if (--presence_counts_[p] == 0) presence_bits_[p / 64] &= ~(std::uint64_t{1} << (p % 64));
  const std::uint32_t bucket = index / kWays;
  std::uint64_t ways_in_use[2];
  static_assert(kWays * sizeof(std::uint16_t) == sizeof ways_in_use);
  std::memcpy(ways_in_use, &way_tags_[bucket * kWays], sizeof ways_in_use);
  if ((ways_in_use[0] | ways_in_use[1]) == 0)
    occupied_[bucket / 64] &= ~(std::uint64_t{1} << (bucket % 64));
  counters_.active -= 1;
}

std::uint32_t FlowTable::find(const FlowKey& key, std::uint64_t hash, std::uint64_t now) {
  const std::uint32_t tag = static_cast<std::uint32_t>(hash >> 32);
  const std::uint32_t base = bucket_of(hash);
  // Most packets of an ISP's transit belong to no tracked flow, and most buckets are empty: this
  // bit, from a bitmap that stays in L1, spares them the tag load.
  const std::uint32_t bucket = base / kWays;
  if ((occupied_[bucket / 64] >> (bucket % 64) & 1) == 0) return kNone;
  static_assert(kWays == 8, "one 16-byte vector of tags a bucket");
  const __m128i tags = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&way_tags_[base]));
  // Two mask bits a way; keep the low one.
  unsigned ways = static_cast<unsigned>(_mm_movemask_epi8(
                      _mm_cmpeq_epi16(tags, _mm_set1_epi16(static_cast<short>(way_tag(hash)))))) &
                  0x5555u;
  for (; ways != 0; ways &= ways - 1) {
    const std::uint32_t w = static_cast<std::uint32_t>(__builtin_ctz(ways)) / 2;
    FlowEntry& e = entries_[base + w];
    if (e.state == FlowState::Free || e.tag != tag || !(e.key == key)) continue;
    if (expired(e, now)) {
      remove(base + w, &FlowCounters::timed_out);
      return kNone;
    }
    return base + w;
  }
  return kNone;
}

std::uint32_t FlowTable::insert(const FlowKey& key, std::uint64_t hash, Protocol protocol,
                                std::uint64_t now) {
  const std::uint32_t base = bucket_of(hash);
  std::uint32_t chosen = kNone;
  std::uint32_t oldest = kNone;
  std::uint32_t oldest_passed = kNone;  // evicted first: losing one only costs a new inspection
  for (std::uint32_t w = 0; w < kWays; ++w) {
    const FlowEntry& e = entries_[base + w];
    if (e.state == FlowState::Free) {
      chosen = base + w;
      break;
    }
    if (e.state == FlowState::Deciding) continue;
    if (expired(e, now)) {
      remove(base + w, &FlowCounters::timed_out);
      chosen = base + w;
      break;
    }
    if (oldest == kNone || e.last_seen < entries_[oldest].last_seen) oldest = base + w;
    if (e.state == FlowState::Passed &&
        (oldest_passed == kNone || e.last_seen < entries_[oldest_passed].last_seen)) {
      oldest_passed = base + w;
    }
  }
  if (chosen == kNone) {
    if (oldest_passed != kNone) oldest = oldest_passed;
    if (oldest == kNone) return kNone;
    remove(oldest, &FlowCounters::evicted);
    chosen = oldest;
  }
  FlowEntry& e = entries_[chosen];
  e.key = key;
  const std::uint32_t p = key.presence() >> (32 - kPresenceBits);
  presence_counts_[p] += 1;
  presence_bits_[p / 64] |= std::uint64_t{1} << (p % 64);
  e.state = FlowState::Gathering;
  e.protocol = protocol;
  e.packets = 0;
  e.tag = static_cast<std::uint32_t>(hash >> 32);
  way_tags_[chosen] = way_tag(hash);
  occupied_[chosen / kWays / 64] |= std::uint64_t{1} << (chosen / kWays % 64);
  e.gather = kNone;
  e.seq_base = 0;
  e.last_seen = now;
  e.verdict = Verdict{};
  e.action = 0;
  counters_.created += 1;
  counters_.active += 1;
  return chosen;
}

void FlowTable::erase(std::uint32_t entry) { remove(entry, nullptr); }

GatherSlot* FlowTable::attach(std::uint32_t entry) {
  FlowEntry& e = entries_[entry];
  if (e.gather != kNone) return &slots_[e.gather];
  std::uint32_t i = kNone;
  if (!free_list_.empty()) {
    i = free_list_.back();
    free_list_.pop_back();
  } else {
    // Every slot is in use: take the next in turn, the one handed out longest ago. At most one
    // burst's worth is pinned by names being decided, so this ends within 33 steps.
    const std::uint32_t count = static_cast<std::uint32_t>(slots_.size());
    for (std::uint32_t tries = 0; tries < count && i == kNone; ++tries) {
      const std::uint32_t candidate = next_slot_;
      next_slot_ = next_slot_ + 1 == count ? 0 : next_slot_ + 1;
      const std::uint32_t owner = slots_[candidate].owner;
      if (owner != kNone && entries_[owner].state == FlowState::Deciding) continue;
      if (owner != kNone) {
        remove(owner, &FlowCounters::evicted);
        free_list_.pop_back();  // the slot remove() just gave back, `candidate`
      }
      i = candidate;
    }
    if (i == kNone) return nullptr;
  }
  GatherSlot& s = slots_[i];
  s.owner = entry;
  s.stream.clear();
  s.quic.keyed = false;
  e.gather = i;
  return &s;
}

void FlowTable::release_slot(std::uint32_t entry) {
  FlowEntry& e = entries_[entry];
  if (e.gather == kNone) return;
  slots_[e.gather].owner = kNone;
  free_list_.push_back(e.gather);  // never past its reserved capacity: one per slot
  e.gather = kNone;
}

void FlowTable::expire(std::uint64_t now, std::uint32_t count) {
  const std::uint32_t size = static_cast<std::uint32_t>(entries_.size());
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t index = sweep_;
    sweep_ = sweep_ + 1 == size ? 0 : sweep_ + 1;
    // A free way is known by its tag: its entry (a cache line elsewhere) is not read.
    if (way_tags_[index] != 0 && expired(entries_[index], now))
      remove(index, &FlowCounters::timed_out);
  }
}

}  // namespace takedown::filters
