// FlowTable: one worker's flows, in memory fixed at start-up (DPDK's rte_hash and Suricata's flow
// hash are the models, without their locks: a table belongs to one worker).
//
// Entries sit in buckets of 8 ways, found by an xxHash of the FlowKey. Beside the entries, each
// way has a 16-bit tag (0 while it is free) in an array of its own, 16 bytes a bucket: a lookup
// compares the bucket's 8 tags in one vector and reads an entry only where its tag matches. Most
// packets belong to flows without an entry (established data, QUIC short headers): they read one
// cache line of a 128 KB array (64k flows), not the 8 entries of 88 bytes (11 lines of 5.8 MB).
// Before that, a bitmap of one bit a bucket (1 KB for 64k flows, set while some way of the bucket
// is in use) answers for the buckets that hold no flow at all, which are most of them. Before
// both, may_hold() tests a presence filter: one bit for each of 32k values of the key's cheap
// presence hash (FlowKey::presence), set while some entry has it (a count each, kept by insert and
// remove). A caller that reads the hash from the packet skips the key, its XXH3 and the table for
// nearly every packet of an untracked flow: a 4 KB bitmap, against 1 KB plus a 48-byte key and
// its hash.
// Only flows that need it get an entry: one whose name is still being gathered, one already
// blocked, and a QUIC flow whose name passed (for the rest of its handshake). insert() never
// waits and never fails for want of room unless all 8 ways are pinned by names being decided in
// this very burst: it takes a free way, else one past its timeout (counted as timed out), else
// the least recently seen passed flow, else the least recently seen (both counted as evicted).
//
// Gathering flows also get a GatherSlot: a reassembly buffer of `reassembly_bytes`, with its
// bitmap and the QUIC keys of the flow. Slots are handed out in turn; when every one is taken the
// next in turn, held by the flow that started gathering longest ago, is taken from it (that flow
// is evicted and its reassembly abandoned, counted). Slots of flows being decided are skipped.
//
// Time is the caller's tick count (TSC cycles in takedownd, microseconds offline), converted once
// with `ticks_per_second`. expire() sweeps a few entries per call so timed-out flows leave the
// active count without anyone touching them. Hot path: no allocation, lock or syscall.
#pragma once

#include <cstdint>
#include <vector>

#include "filters/common/huge_pages.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/flow/flow_config.hpp"
#include "filters/flow/flow_counters.hpp"
#include "filters/flow/flow_key.hpp"
#include "filters/flow/stream_gather.hpp"
#include "filters/match/verdict.hpp"
#include "filters/quic/quic_crypto.hpp"

namespace takedown::filters {

enum class FlowState : std::uint8_t {
  Free,
  Gathering,  // bytes of the name are being gathered
  Deciding,   // the name is complete and waits for its verdict in this burst
  Blocked,    // later packets get `verdict` without inspection
  Passed,     // a QUIC flow whose name passed: its later Initials go on without decryption,
              // until its first short-header packet ends the entry
};

struct FlowEntry {
  FlowKey key;
  FlowState state;
  Protocol protocol;
  std::uint16_t packets;  // packets that brought bytes to the gathered stream
  std::uint32_t tag;      // high hash bits, checked before the key
  std::uint32_t gather;   // its GatherSlot, or FlowTable::kNone
  std::uint32_t seq_base; // TCP: the sequence number of the stream's byte 0; QUIC: a hash of
                          // the DCID its keys come from (a new connection on the same 5-tuple
                          // has another)
  std::uint64_t last_seen;
  Verdict verdict;
  std::uint8_t action;  // the caller's, kept with the verdict (takedownd: the TcpResponse)
};

struct QuicFlowKeys {
  QuicKeys keys;
  std::uint32_t version = 0;
  bool keyed = false;  // keys are those of the flow's first Initial (or the first after a Retry)
};

struct GatherSlot {
  std::uint32_t owner;  // entry index, or FlowTable::kNone
  StreamGather stream;
  QuicFlowKeys quic;
};

class FlowTable {
 public:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  static constexpr std::uint32_t kWays = 8;
  static constexpr unsigned kPresenceBits = 15;  // log2 of the presence filter's bits

  // Cold path: allocates everything the table will ever use.
  FlowTable(const FlowConfig& config, std::uint64_t ticks_per_second);

  static std::uint64_t hash(const FlowKey& key);

  // False when no entry has this presence hash (FlowKey::presence, presence_of), so find() would
  // return kNone for every key that has it. True otherwise (an entry may be past its timeout).
  bool may_hold(std::uint32_t presence) const {
    const std::uint32_t i = presence >> (32 - kPresenceBits);
    return (presence_bits_[i / 64] >> (i % 64) & 1) != 0;
  }

  // The live entry for `key`, or kNone. An entry past its timeout is removed and not returned.
  std::uint32_t find(const FlowKey& key, std::uint64_t hash, std::uint64_t now);
  // A new entry for `key` (state Gathering, no slot), or kNone when all ways are pinned.
  std::uint32_t insert(const FlowKey& key, std::uint64_t hash, Protocol protocol, std::uint64_t now);
  void erase(std::uint32_t entry);
  // Gives `entry` a cleared gather slot, taking the oldest one if none is free; nullptr only when
  // every slot is pinned.
  GatherSlot* attach(std::uint32_t entry);
  void release_slot(std::uint32_t entry);

  FlowEntry& entry(std::uint32_t index) { return entries_[index]; }
  GatherSlot& slot(std::uint32_t index) { return slots_[index]; }

  // Removes timed-out entries among the next `count` ways.
  void expire(std::uint64_t now, std::uint32_t count);

  FlowCounters& counters() { return counters_; }
  const FlowCounters& counters() const { return counters_; }
  std::uint32_t capacity() const { return static_cast<std::uint32_t>(entries_.size()); }
  std::uint32_t slot_count() const { return static_cast<std::uint32_t>(slots_.size()); }
  std::uint64_t gather_timeout() const { return gather_ticks_; }
  std::uint64_t blocked_timeout() const { return blocked_ticks_; }

 private:
  std::uint32_t bucket_of(std::uint64_t hash) const {
    return (static_cast<std::uint32_t>(hash) & bucket_mask_) * kWays;
  }
  // Never 0, which marks a free way.
  static std::uint16_t way_tag(std::uint64_t hash) {
    return static_cast<std::uint16_t>(hash >> 48) | 1u;
  }
  bool expired(const FlowEntry& e, std::uint64_t now) const;
  // Frees `index` as the given outcome would count it.
  void remove(std::uint32_t index, std::uint64_t FlowCounters::*outcome);

  // In transparent huge pages (filters/common/huge_pages.hpp): a probe of a table of megabytes
  // would otherwise miss the TLB as well as the cache.
  TableArray<FlowEntry> entries_;
  TableArray<std::uint16_t> way_tags_;  // by entry index; 0: free
  std::vector<std::uint64_t> occupied_;  // a bit a bucket: some way of it is not free
  std::vector<std::uint64_t> presence_bits_;    // a bit a presence value: its count is not 0
  std::vector<std::uint32_t> presence_counts_;  // entries in use with that presence value
  std::uint32_t bucket_mask_ = 0;
  std::vector<GatherSlot> slots_;
  TableArray<std::uint8_t> slot_bytes_;
  TableArray<std::uint64_t> slot_bits_;
  std::uint32_t next_slot_ = 0;
  std::vector<std::uint32_t> free_list_;  // reserved for every slot at start-up
  std::uint32_t sweep_ = 0;
  std::uint64_t gather_ticks_ = 0;
  std::uint64_t blocked_ticks_ = 0;
  FlowCounters counters_;
};

}  // namespace takedown::filters
