// ParsedList: what a list file contributes, before compilation, plus the report an operator reads.
//
// Every format parser fills one. Entries keep their 1-based source line so verdicts can name it.
// Lines that load nothing and are not comments are "skipped"; entries that load but look wrong (a
// public suffix on a block list, "*.d" in a domains list) get a "warning". Each has a reason: the
// first few of each kind are kept in full as "file:line: reason (excerpt)", all are counted by
// reason, and every one is noted as its line and a reason id (not a copy of the line), so
// `takedownctl compile --all-skips` can list them all. A value type, not shared.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/match/policy.hpp"

namespace takedown::control {

enum class EntryKind : std::uint8_t { Domain, Regex, Url };

// Same bits as filters::SuffixSlot: Apex matches the name itself, Below the names under it.
enum class Scope : std::uint8_t { Apex = 1, Below = 2, Both = 3 };

// A per-entry policy that overrides the list's own, where the format says what to answer
// (RPZ RDATA, adblock @@ exceptions, unbound local-zone types). Unset fields keep the list's value.
// `important` (adblock's $important) lifts the entry's block or allow above the plain ones.
struct PolicyOverride {
  std::optional<filters::Action> action;
  bool important = false;
  std::optional<filters::DnsResponse> dns;
  std::vector<std::array<std::uint8_t, 4>> a;
  std::vector<std::array<std::uint8_t, 16>> aaaa;
  std::optional<std::uint32_t> ttl;

  friend bool operator==(const PolicyOverride&, const PolicyOverride&) = default;
};

// The override of an exemption: "resolve this normally" (adblock @@, dnsmasq server=/d/#, unbound
// transparent), an allow inside a block list.
PolicyOverride exemption_override();

struct ListEntry {
  EntryKind kind = EntryKind::Domain;
  Scope scope = Scope::Both;
  std::uint32_t override_index = 0;  // 0: the list's policy; k: overrides[k - 1]
  std::uint32_t line = 0;
  std::string text;  // normalised name (Domain), expression (Regex) or normalised host (Url)
  std::string path;  // Url only: the path prefix, starting with '/'
};

struct ListReport {
  static constexpr std::size_t kMaxDetailed = 5;
  // Notes kept for --all-skips: 12 bytes each, so at most 12 MiB for a list that is all bad lines;
  // past that only the counts grow (and `unnoted` says how many were not kept).
  static constexpr std::size_t kMaxNoted = std::size_t{1} << 20;

  enum class NoteKind : std::uint8_t { Skip, Warning };
  struct Note {
    std::uint32_t line;
    std::uint32_t reason;    // index into `reasons`
    std::uint16_t detailed;  // k + 1 when first_skips[k] (or first_warnings[k]) is this note's text
    NoteKind kind;
  };

  std::string name;
  std::string format;
  std::string path;
  std::uint64_t lines = 0;
  std::uint64_t loaded = 0;
  std::uint64_t skipped = 0;
  std::map<std::string, std::uint64_t> skipped_by_reason;
  std::vector<std::string> first_skips;  // "file:line: reason (excerpt)"
  std::uint64_t warned = 0;
  std::map<std::string, std::uint64_t> warned_by_reason;
  std::vector<std::string> first_warnings;  // "file:line: warning: reason (excerpt)"
  std::vector<std::string> reasons;         // a Note's reason id -> its text
  std::vector<Note> notes;                  // in the order they were made
  std::uint64_t unnoted = 0;

  void skip(std::uint32_t line, std::string_view reason, std::string_view detail = {});
  void warn(std::uint32_t line, std::string_view reason, std::string_view detail = {});
  // Every noted skip and warning in line order, as "file:line: reason" ("file:line: warning:
  // reason"), with the excerpt where one was kept.
  std::vector<std::string> all_notes() const;

 private:
  void note(NoteKind kind, std::uint32_t line, std::string_view reason, std::string_view detail);
  std::map<std::string, std::uint32_t, std::less<>> reason_ids_;
};

struct ParsedList {
  std::vector<ListEntry> entries;
  std::vector<PolicyOverride> overrides;
  ListReport report;

  // Adds an override and returns the index an entry stores for it.
  std::uint32_t add_override(PolicyOverride o);
  // The index of an override equal to `o`, added the first time it is asked for: for the few
  // fixed answers a format gives to many entries (exemptions, an unbound zone type's answer).
  std::uint32_t shared_override(const PolicyOverride& o);
  // Normalises `raw` (IDN to A-label) and adds a domain entry, or skips the line with the reason.
  bool add_domain(std::uint32_t line, std::string_view raw, Scope scope,
                  std::uint32_t override_index = 0);

 private:
  std::vector<std::uint32_t> shared_;  // indexes that shared_override() handed out
};

}  // namespace takedown::control
