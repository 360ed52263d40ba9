// Snapshot: one immutable, verified, compiled rule set, as loaded from a snapshot file.
//
// load_file()/load_bytes() check everything before returning: magic, version, sizes, the XXH3
// checksum, every section's bounds and alignment, every slot's arena reference, every rule's list
// and policy index, and the Hyperscan databases (deserialised here). A file that fails any check is
// refused with a message that says what is wrong; nothing is half-loaded.
//
// After loading, a Snapshot is read-only: any number of threads may read it at once. The data
// plane swaps whole snapshots (RCU); it never mutates one. Hyperscan scratch is per thread and
// lives in MatchScratch, not here.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "filters/common/result.hpp"
#include "filters/match/bloom_filter.hpp"
#include "filters/match/policy.hpp"
#include "filters/match/suffix_set.hpp"
#include "filters/snapshot/snapshot_format.hpp"

struct hs_database;

namespace takedown::filters {

class Snapshot {
 public:
  // Reads and verifies a snapshot file. Errors name the file and the failed check.
  static Result<std::unique_ptr<Snapshot>> load_file(const std::string& path);
  // Verifies a snapshot held in memory (copied). `origin` names it in errors.
  static Result<std::unique_ptr<Snapshot>> load_bytes(std::span<const std::uint8_t> bytes,
                                                      const std::string& origin);
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  const snapshot_format::Meta& meta() const { return *meta_; }
  BloomFilter bloom() const { return bloom_; }
  SuffixSet suffix_set() const { return suffix_set_; }
  std::span<const Policy> policies() const { return policies_; }
  std::span<const snapshot_format::PatternRecord> patterns() const { return patterns_; }
  std::span<const snapshot_format::ListRecord> lists() const { return lists_; }
  std::string_view text(snapshot_format::StringRef ref) const {
    return {strings_.data() + ref.offset, ref.length};
  }
  std::span<const std::uint8_t> bytes(snapshot_format::StringRef ref) const {
    return {reinterpret_cast<const std::uint8_t*>(strings_.data()) + ref.offset, ref.length};
  }
  std::string_view list_name(std::size_t list) const { return text(lists_[list].name); }
  std::string_view list_source(std::size_t list) const { return text(lists_[list].source); }
  // How list `list` (< lists().size()) answers what it blocks. Cheap: a few additions.
  ListReply reply(std::size_t list) const {
    const snapshot_format::AnswerRecord& a = answers_[list];
    ListReply r;
    r.soa_owner = bytes(a.soa_owner);
    r.soa_rdata = bytes(a.soa_rdata);
    r.negative_ttl = a.negative_ttl;
    r.ede = static_cast<EdeCode>(a.ede);
    r.ede_text = text(a.ede_text);
    r.http_page = text(a.http_page);
    return r;
  }

  const hs_database* regex_db() const { return regex_db_; }
  const hs_database* url_db() const { return url_db_; }
  std::uint64_t file_size() const { return size_; }
  std::uint64_t created_unix() const { return created_unix_; }

 private:
  Snapshot() = default;
  // A snapshot with an aligned buffer for `size` bytes (not yet filled), or nullptr.
  static std::unique_ptr<Snapshot> allocate(std::size_t size);
  Result<bool> verify(const std::string& origin);

  struct FreeBuffer {
    void operator()(std::uint8_t* p) const;
  };
  std::unique_ptr<std::uint8_t, FreeBuffer> buffer_;
  std::uint64_t size_ = 0;
  std::uint64_t created_unix_ = 0;
  const snapshot_format::Meta* meta_ = nullptr;
  BloomFilter bloom_;
  SuffixSet suffix_set_;
  std::span<const Policy> policies_;
  std::span<const snapshot_format::ListRecord> lists_;
  std::span<const snapshot_format::AnswerRecord> answers_;
  std::span<const snapshot_format::PatternRecord> patterns_;
  std::string_view strings_;
  hs_database* regex_db_ = nullptr;
  hs_database* url_db_ = nullptr;
};

}  // namespace takedown::filters
