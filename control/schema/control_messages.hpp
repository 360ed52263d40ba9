// The control protocol between takedownctl and takedownd: typed messages, each with one encoder
// and one decoder, so neither side assembles or cuts JSON by hand.
//
// On the UNIX stream socket each request and each reply is one JSON object on one line:
//
//   {"command": "load", "snapshot": "/var/lib/takedown/takedown-1764000000000.snap",
//    "compile_ms": 23.1}                                    -> LoadReply
//   {"command": "stats"}                                    -> StatsReply
//   {"command": "status"}                                   -> StatusReply
//   {"command": "reload_failed", "stage": "compile", "error": "a.txt:2: ..."}
//                                                           -> AckReply
//   {"command": "sources", "sources": [{"list": "feed", "kind": "url", ...}]}
//                                                           -> AckReply
//
// reload_failed is takedownctl telling takedownd about a reload that failed before it could be
// loaded (a list that does not compile, a full disk), so that takedownd's reload-failure metric
// and status count every failed reload, not only the snapshots it refused itself.
// Every reply has "ok". A refused request gets ErrorReply: "ok": false, an "error" saying why and
// the generation still running. Decoders check every field they read and name the one that is
// missing or of the wrong type; unknown fields are ignored, so either side may add some. Cold
// path; plain values, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "control/schema/stats.hpp"
#include "filters/common/result.hpp"

namespace takedown::schema {

// Longest request line takedownd reads; anything longer is refused unread.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;

struct LoadRequest {
  std::string snapshot;   // the path of a compiled snapshot file
  double compile_ms = 0;  // how long takedownctl took to compile it (0: not said), for /metrics
};
struct StatsRequest {};
struct StatusRequest {};
struct ReloadFailedRequest {
  std::string stage;  // "compile" or "store"
  std::string error;
};
// takedownctl's fetched and transferred lists, after every attempt, so that status and /metrics
// show how old each copy is and how often it failed. Replaces what takedownd had.
struct SourcesRequest {
  std::vector<SourceStatus> sources;
};
using Request =
    std::variant<LoadRequest, StatsRequest, StatusRequest, ReloadFailedRequest, SourcesRequest>;

std::string encode(const Request& request);
Result<Request> decode_request(std::string_view line);

struct ErrorReply {
  std::string error;
  std::uint64_t generation = 0;
};

struct LoadReply {
  std::uint64_t generation = 0;
  std::uint64_t domains = 0;
  std::uint64_t lists = 0;
  double verify_us = 0;   // read, verify and map the file
  double prepare_us = 0;  // per-worker Hyperscan scratch
  double swap_us = 0;     // the pointer store plus the grace period (up to its deadline)
  // Workers that had not reported a quiescent state by the grace period's deadline; the old
  // snapshot is freed once they have.
  std::vector<unsigned> lagging_workers;
};

struct StatsReply {
  Stats stats;
};

struct AckReply {
  std::uint64_t generation = 0;
};

// The last reload that failed, wherever it failed ("" stage: none yet).
struct ReloadFailure {
  std::string stage;  // "compile" or "store" (reported by takedownctl), "load" (refused here)
  std::string error;
  double unix_seconds = 0;
};

struct ListStatus {
  std::string name;
  std::string format;
  std::string source;
  std::uint64_t entries = 0;
  std::uint64_t skipped = 0;
};

struct StatusReply {
  std::string version;
  std::int64_t pid = 0;
  double uptime_seconds = 0;
  std::uint64_t generation = 0;
  std::string origin;  // where the snapshot in use came from
  std::uint64_t domains = 0;
  std::uint64_t regex_rules = 0;
  std::uint64_t url_rules = 0;
  std::uint64_t bytes = 0;
  std::uint64_t created_unix = 0;
  std::vector<ListStatus> lists;
  std::vector<unsigned> lagging_workers;  // past a grace period's deadline, not yet quiescent
  std::uint64_t retired_pending = 0;      // old snapshots waiting for them
  ReloadFailure last_failure;
  std::vector<SourceStatus> sources;  // as takedownctl last reported them
  double now_unix = 0;                // takedownd's clock when it answered
};

std::string encode(const ErrorReply& reply);
std::string encode(const LoadReply& reply);
std::string encode(const StatsReply& reply);
std::string encode(const StatusReply& reply);
std::string encode(const AckReply& reply);

// A reply line as the request's reply type, or the ErrorReply takedownd sent instead. An Error
// when the line is not such a reply (it says what is wrong with it).
template <typename T>
using Reply = std::variant<T, ErrorReply>;
Result<Reply<LoadReply>> decode_load_reply(std::string_view line);
Result<Reply<StatsReply>> decode_stats_reply(std::string_view line);
Result<Reply<StatusReply>> decode_status_reply(std::string_view line);
Result<Reply<AckReply>> decode_ack_reply(std::string_view line);

}  // namespace takedown::schema
