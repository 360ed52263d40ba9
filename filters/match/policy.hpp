// Policy and Rule: what a list entry does, and which list line it came from.
//
// A Policy says what to do with a match (block, allow, log) and how to answer it per protocol.
// Policies are deduplicated into a small table in the snapshot; a Rule points at one, at its list
// and at its source line, so every verdict can be explained as "list X, file:line". Both are
// trivially copyable and laid out for the snapshot file as they are in memory (little-endian x86).
// Immutable once in a snapshot; safe to read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

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
  X(Drop, "drop")

#define TAKEDOWN_X(name, text) name,
enum class Action : std::uint8_t { TAKEDOWN_ACTIONS(TAKEDOWN_X) };
enum class DnsResponse : std::uint8_t { TAKEDOWN_DNS_RESPONSES(TAKEDOWN_X) };
enum class TcpResponse : std::uint8_t { TAKEDOWN_TCP_RESPONSES(TAKEDOWN_X) };
#undef TAKEDOWN_X

std::string_view to_string(Action value);
std::string_view to_string(DnsResponse value);
std::string_view to_string(TcpResponse value);
// Parses the lowercase names above; false when `text` is not one of them.
bool parse(std::string_view text, Action& out);
bool parse(std::string_view text, DnsResponse& out);
bool parse(std::string_view text, TcpResponse& out);

struct Policy {
  static constexpr std::size_t kMaxAddresses = 4;

  Action action = Action::Block;
  DnsResponse dns = DnsResponse::Nxdomain;
  TcpResponse http = TcpResponse::Reset;
  TcpResponse tls = TcpResponse::Reset;
  std::uint8_t a_count = 0;
  std::uint8_t aaaa_count = 0;
  std::uint16_t reserved = 0;
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

}  // namespace takedown::filters
