// The on-disk layout of a compiled snapshot (version 5).
//
//   FileHeader (64 bytes) | SectionEntry[section_count] | sections, each 64-byte aligned
//
// The checksum is XXH3-64 over the whole file with the checksum field read as zero, so flipping any
// byte, header included, is detected. Integers are little-endian; the structs are read in place,
// so the file is only portable between little-endian machines, and the Hyperscan sections only
// between CPUs that Hyperscan accepts (hs_deserialize_database checks that). The builder lives in
// control/; the loader in snapshot.cpp. Plain data, no behaviour.
#pragma once

#include <cstdint>
#include <span>

#include "filters/match/policy.hpp"

namespace takedown::filters::snapshot_format {

inline constexpr char kMagic[8] = {'T', 'K', 'D', 'N', 'S', 'N', 'P', '1'};
inline constexpr std::uint32_t kVersion = 5;  // 2: Policy::important; 3: the answers section;
                                              // 4: the split-block bloom filter; 5: its below
                                              // keys (a version 4 filter lacks them, and the
                                              // walk would stop above names listed deeper)
inline constexpr std::size_t kAlignment = 64;

struct FileHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t header_size;
  std::uint64_t file_size;
  std::uint64_t checksum;
  std::uint32_t section_count;
  std::uint32_t reserved;
  std::uint64_t created_unix;
  std::uint8_t padding[16];
};
static_assert(sizeof(FileHeader) == 64);

#define TAKEDOWN_SNAPSHOT_SECTIONS(X) \
  X(Meta, 1, "meta")                  \
  X(Bloom, 2, "bloom")                \
  X(Slots, 3, "slots")                \
  X(Arena, 4, "arena")                \
  X(Policies, 5, "policies")          \
  X(Lists, 6, "lists")                \
  X(Strings, 7, "strings")            \
  X(Patterns, 8, "patterns")          \
  X(RegexDb, 9, "regex-db")           \
  X(UrlDb, 10, "url-db")              \
  X(Answers, 11, "answers")

enum class SectionId : std::uint32_t {
#define TAKEDOWN_X(name, id, text) name = id,
  TAKEDOWN_SNAPSHOT_SECTIONS(TAKEDOWN_X)
#undef TAKEDOWN_X
};
inline constexpr std::uint32_t kSectionIdLimit = 12;

struct SectionEntry {
  std::uint32_t id;
  std::uint32_t reserved;
  std::uint64_t offset;
  std::uint64_t size;
};
static_assert(sizeof(SectionEntry) == 24);

enum MetaFlag : std::uint32_t {
  kHasDomainAllow = 1,   // some domain rule allows: the suffix walk must visit every level
  kHasPatternAllow = 2,  // some regex rule allows
  kHasPatternBlock = 4,  // some regex rule blocks or logs: every lookup scans
  kHasUrlRules = 8,
  kHasImportantBlock = 16,  // some domain rule blocks with Policy::important: the walk goes on past
                            // plain allows and blocks, which it outranks
};

struct Meta {
  std::uint64_t domain_count;  // distinct names in the arena
  std::uint64_t rule_count;    // occupied slots
  std::uint64_t slot_capacity;
  std::uint32_t bloom_blocks;
  std::uint32_t bloom_probes;
  std::uint32_t list_count;
  std::uint32_t policy_count;
  std::uint32_t pattern_count;
  std::uint32_t flags;
  std::uint64_t label_count_mask[2];  // bit n: some name has n labels
  std::uint64_t length_mask[4];       // bit n: some name is n bytes long
  double bloom_target_rate;
  double bloom_expected_rate;
  std::uint64_t regex_rule_count;
  std::uint64_t url_rule_count;
};

struct StringRef {
  std::uint32_t offset;
  std::uint32_t length;
};

struct ListRecord {
  StringRef name;
  StringRef source;  // path of the list file as the config resolved it
  StringRef format;  // "domains", "rpz", ...
  std::uint32_t entries;
  std::uint32_t skipped;
  std::uint16_t policy;  // the list's default policy
  std::uint8_t exact;    // 1 when the list was `match: exact`
  std::uint8_t reserved;
  std::uint32_t reserved2;
};
static_assert(sizeof(ListRecord) == 40);

// answers[i] is how list i explains its blocks (filters::ListReply); its strings are in the
// strings section, the SOA names in wire form.
struct AnswerRecord {
  StringRef soa_owner;  // empty: the query name itself
  StringRef soa_rdata;
  StringRef ede_text;
  StringRef http_page;
  std::uint32_t negative_ttl;
  std::uint8_t ede;  // filters::EdeCode
  std::uint8_t reserved[3];
};
static_assert(sizeof(AnswerRecord) == 40);

enum class PatternKind : std::uint8_t { Regex = 0, Url = 1 };

// Hyperscan pattern id i resolves to patterns[i].
struct PatternRecord {
  Rule rule;
  PatternKind kind;
  std::uint8_t reserved;
  std::uint16_t prefix_length;  // url rules: host + path prefix bytes, for "longest wins"
};
static_assert(sizeof(PatternRecord) == 12);

// XXH3-64 of `file` with the header's checksum field taken as zero. `file` holds a whole header.
std::uint64_t file_checksum(std::span<const std::uint8_t> file);

}  // namespace takedown::filters::snapshot_format
