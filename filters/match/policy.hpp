// Policy and Rule: what a list entry does, and which list line it came from.
//
// A Policy says what to do with a match (block, allow, log) and how to answer it per protocol.
// `important` lifts a block or an allow above the plain ones (adblock's $important; the allow lists
// of the config are important too): see the Matcher's precedence.
// Policies are deduplicated into a small table in the snapshot; a Rule points at one, at its list
// and at its source line, so every verdict can be explained as "list X, file:line". Both are
// trivially copyable and laid out for the snapshot file as they are in memory (little-endian x86).
// Immutable once in a snapshot; safe to read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

#define TAKEDOWN_ACTIONS(X) \
  X(Block, "block")         \
  X(Allow, "allow")         \
  X(Log, "log")

#define TAKEDOWN_DNS_RESPONSES(X) \
  X(Nxdomain, "nxdomain")         \
  X(Nodata, "nodata")             \
  X(Refused, "refused")           \
  X(Sinkhole, "sinkhole")         \
  X(Drop, "drop")

#define TAKEDOWN_TCP_RESPONSES(X) \
  X(Reset, "reset")               \
  X(Drop, "drop")                 \
  X(Page, "page")

// RFC 8914 INFO-CODEs a block answer carries, in code order from 15 (see ede_info_code()).
#define TAKEDOWN_EDE_CODES(X)  \
  X(Blocked, "blocked")        \
  X(Censored, "censored")      \
  X(Filtered, "filtered")      \
  X(Prohibited, "prohibited")

TAKEDOWN_ENUM(Action, TAKEDOWN_ACTIONS)
TAKEDOWN_ENUM(DnsResponse, TAKEDOWN_DNS_RESPONSES)
TAKEDOWN_ENUM(TcpResponse, TAKEDOWN_TCP_RESPONSES)  // Page: HTTP only (an HTTP block page)
TAKEDOWN_ENUM(EdeCode, TAKEDOWN_EDE_CODES)

// 15 Blocked (an operator's policy), 16 Censored (an authority's order), 17 Filtered (a filter
// the client chose), 18 Prohibited (the client is not allowed to ask).
constexpr std::uint16_t ede_info_code(EdeCode code) {
  return static_cast<std::uint16_t>(15 + static_cast<std::uint16_t>(code));
}

struct Policy {
  static constexpr std::size_t kMaxAddresses = 4;

  Action action = Action::Block;
  DnsResponse dns = DnsResponse::Nxdomain;
  TcpResponse http = TcpResponse::Reset;
  TcpResponse tls = TcpResponse::Reset;
  std::uint8_t a_count = 0;
  std::uint8_t aaaa_count = 0;
  std::uint8_t important = 0;  // 0 or 1; never with Action::Log
  std::uint8_t reserved = 0;
  std::uint32_t ttl = 0;  // seconds, for synthesized answers
  std::uint32_t reserved2 = 0;
  std::array<std::array<std::uint8_t, 4>, kMaxAddresses> a{};
  std::array<std::array<std::uint8_t, 16>, kMaxAddresses> aaaa{};

  friend bool operator==(const Policy&, const Policy&) = default;
};
static_assert(sizeof(Policy) == 96);

// Where a decision came from. `line` is 1-based in the list's source file; 0 means "no line"
// (a rule that comes from the config itself).
struct Rule {
  std::uint32_t line = 0;
  std::uint16_t list = 0;
  std::uint16_t policy = 0;
};
static_assert(sizeof(Rule) == 8);

// How one list's blocks explain themselves, beside its Policy: the SOA of its negative DNS
// answers, the Extended DNS Error it sends and the HTTP block page. The spans point into the
// snapshot (Snapshot::reply()); the sizes are bounded so that an answer without EDNS, with the
// longest name and every section, fits in 512 bytes.
struct ListReply {
  static constexpr std::size_t kMaxSoaName = 66;   // wire bytes of the owner, MNAME and RNAME each
  static constexpr std::size_t kMaxSoaRdata = 2 * kMaxSoaName + 20;
  static constexpr std::size_t kMaxEdeText = 255;  // bytes of UTF-8
  static constexpr std::size_t kMaxHttpPage = 1200;

  std::span<const std::uint8_t> soa_owner;  // wire form; empty: the query name itself
  std::span<const std::uint8_t> soa_rdata;  // MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
  std::uint32_t negative_ttl = 300;         // the SOA record's TTL (its MINIMUM is the same)
  EdeCode ede = EdeCode::Blocked;
  std::string_view ede_text;                // EXTRA-TEXT, shortened to fit when it must
  std::string_view http_page;               // the whole HTTP response for TcpResponse::Page
};

}  // namespace takedown::filters
