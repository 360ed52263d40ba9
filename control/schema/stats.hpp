// Stats: what takedownd exports, written once. One table of counters (TAKEDOWN_COUNTERS) and one
// of Prometheus families (TAKEDOWN_METRIC_FAMILIES); the workers' counter struct, the stats JSON
// (exit report and the `stats` reply), /metrics and DPDK telemetry all expand them, so a counter
// cannot be exported under two names or with two meanings (VPP's foreach_*_error is the model).
//
// How the counters add up (the data-plane tests hold the code to it):
//
//   rx_packets     = tx_packets + dropped + tx_errors + quic_holding
//   dropped        = answered + answered_tcp + http_page + reset + blocked_drop + no_return_drop
//                    + malformed_drop + over_budget_drop                  (dropped_total())
//   blocked_dns + blocked_http + blocked_tls + blocked_quic
//                  = answered + answered_tcp + http_page + reset + blocked_drop + no_return_drop
//   ports' tx      = tx_packets + responses_sent + tcp_answers_sent + pages_sent + resets_sent
//
// quic_holding is what the workers hold at the moment (QUIC datagrams waiting for the rest of
// their flow's name: 0 once they stop). tx_packets counts forwarded originals only. A blocked
// frame is received and "dropped", and counted once by what was sent for it (the stats JSON's
// dropped_by: answer_udp, answer_tcp, http_page, reset, drop); the replies themselves count in
// replies_sent. A UDP query answered: one answer. A TCP query answered in its stream, or an HTTP
// request given the block page: the reply back to the client (answer_tcp, http_page) and a RST on
// to the server (reset). A reset segment: two RSTs. A block that would have answered or reset, but
// whose frame came through MPLS or GTP-U (no reply can go back), counts in no_return_drop; the
// reset onwards to the server still goes and counts in replies_sent.reset. Replies the tx ring
// refuses, or that find no mbuf, count in reply_errors, never in tx_errors. Plain values; no DPDK
// types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::schema {

class JsonWriter;

// X(Id, "name", Type, "label key", "help"): every /metrics family, in exposition order. The label
// key is that of the counter rows below that feed the family ("" for a single sample).
#define TAKEDOWN_METRIC_FAMILIES(X)                                                             \
  X(Packets, "takedown_packets_total", Counter, "port", "Frames received and sent, per port.")  \
  X(Bytes, "takedown_bytes_total", Counter, "port", "Bytes received and sent, per port.")       \
  X(RxMissed, "takedown_rx_missed_total", Counter, "port",                                      \
    "Frames the device dropped because its rx ring was full.")                                  \
  X(Verdicts, "takedown_verdicts_total", Counter, "protocol",                                   \
    "Frames by the protocol their name came from (none: no name) and the decision.")            \
  X(ListHits, "takedown_list_hits_total", Counter, "list",                                      \
    "Decided matches per list, over every snapshot generation.")                                \
  X(Dropped, "takedown_dropped_total", Counter, "reason",                                       \
    "Frames not forwarded because of a verdict, by what became of them.")                       \
  X(Replies, "takedown_replies_total", Counter, "kind",                                        \
    "Replies sent: DNS answers over UDP and TCP, HTTP block pages, TCP resets.")     \
  X(TxErrors, "takedown_tx_errors_total", Counter, "",                                          \
    "Frames the tx ring refused (forwarded originals).")                                        \
  X(ReplyErrors, "takedown_reply_errors_total", Counter, "",                                    \
    "Replies that found no mbuf or that the tx ring refused.")                                  \
  X(Wrapped, "takedown_wrapped_total", Counter, "wrapper",                                      \
    "Frames decoded inside a wrapper, by the outermost one.")                                  \
  X(Malformed, "takedown_malformed_total", Counter, "reason",                                   \
    "Frames a decoder or parser found malformed, by reason.")                                   \
  X(Truncated, "takedown_truncated_total", Counter, "reason",                                   \
    "Frames a decoder or parser found cut short, by reason.")                                   \
  X(Events, "takedown_events_total", Counter, "outcome",                                        \
    "Event log records: written, dropped (ring full), rate limited.")                           \
  X(SnapshotGeneration, "takedown_snapshot_generation", Gauge, "",                              \
    "Generation of the snapshot in use (1 at start-up).")                                       \
  X(SnapshotDomains, "takedown_snapshot_domains", Gauge, "",                                    \
    "Distinct domains in the snapshot in use.")                                                 \
  X(SnapshotLoaded, "takedown_snapshot_loaded_timestamp_seconds", Gauge, "",                    \
    "When the snapshot in use was published.")                                                  \
  X(Reloads, "takedown_reloads_total", Counter, "", "Snapshots loaded after the first one.")    \
  X(ReloadFailures, "takedown_reload_failures_total", Counter, "",                              \
    "Reloads that failed: snapshots takedownd refused, and compiles or stores takedownctl "     \
    "reported failing.")                                                                        \
  X(ReloadLastCompile, "takedown_reload_last_compile_seconds", Gauge, "",                       \
    "Compile time of the last reload, as takedownctl reported it.")                             \
  X(ReloadLastVerify, "takedown_reload_last_verify_seconds", Gauge, "",                         \
    "Read, verify and map time of the last load.")                                              \
  X(ReloadLastSwap, "takedown_reload_last_swap_seconds", Gauge, "",                             \
    "Pointer store plus RCU grace period (up to its deadline) of the last load.")               \
  X(GraceTimeouts, "takedown_reload_grace_timeouts_total", Counter, "",                         \
    "Grace periods that passed their deadline: the old snapshot was retired for a later free.") \
  X(RetiredPending, "takedown_retired_snapshots", Gauge, "",                                    \
    "Old snapshots waiting for a lagging worker before they are freed.")                        \
  X(WorkerLagging, "takedown_worker_lagging", Gauge, "worker",                                  \
    "1 while the worker has not reported a quiescent state for a grace period past its "        \
    "deadline.")                                                                                \
  X(WorkerBusy, "takedown_worker_busy_ratio", Gauge, "worker",                                  \
    "Share of a worker's poll time spent in rounds that received frames.")                      \
  X(Uptime, "takedown_uptime_seconds", Gauge, "", "Seconds since the workers started.")          \
  X(FlowsActive, "takedown_flows_active", Gauge, "",                                            \
    "Flow table entries in use: names being gathered and blocked flows.")                      \
  X(Flows, "takedown_flows_total", Counter, "event",                                            \
    "Flow table entries created, evicted for newer ones, and timed out.")                      \
  X(FlowVerdicts, "takedown_flow_verdicts_total", Counter, "",                                  \
    "Packets of blocked flows given the flow's verdict without inspection.")                   \
  X(Reassembly, "takedown_reassembly_total", Counter, "outcome",                                \
    "Names gathered from more than one packet (completed), and gathering given up (abandoned).") \
  X(OverlapConflicts, "takedown_overlap_conflicts_total", Counter, "",                          \
    "Bytes of overlapping segments or CRYPTO frames that disagreed with those already held.")  \
  X(QuicInitials, "takedown_quic_initials_total", Counter, "outcome",                           \
    "QUIC client Initials decrypted, failed (would not decrypt), and past the decryption "      \
    "budget.")                                                                                 \
  X(SourceAge, "takedown_source_age_seconds", Gauge, "list",                                   \
    "Seconds since a fetched or transferred list's copy was last confirmed current (absent "   \
    "until it first is).")                                                                      \
  X(SourceSuccess, "takedown_source_last_success_timestamp_seconds", Gauge, "list",             \
    "When a fetched or transferred list's copy was last confirmed current (0: never).")        \
  X(SourceFailures, "takedown_source_failures_total", Counter, "list",                          \
    "Fetches and zone transfers that failed, per list; the copy stayed as it was.")            \
  X(SourceUp, "takedown_source_up", Gauge, "list",                                              \
    "1 when a list's last fetch or transfer succeeded, 0 when it failed.")                      \
  X(SourceEntries, "takedown_source_entries", Gauge, "list",                                    \
    "Entries in a fetched or transferred list's copy.")                                         \
  X(SourceSerial, "takedown_source_serial", Gauge, "list",                                      \
    "SOA serial of a transferred zone's copy.")                                                 \
  X(SourceExpired, "takedown_source_expired", Gauge, "list",                                    \
    "1 while a transferred zone is past its SOA expire time without a transfer.")               \
  X(QuicHeld, "takedown_quic_held_total", Counter, "outcome",                                   \
    "QUIC datagrams held while their flow's name was incomplete (held), sent on at the hold "  \
    "deadline (timed_out), and sent on at once because the hold ring was full (ring_full).")   \
  X(IdleSleeps, "takedown_worker_idle_sleeps_total", Counter, "",                               \
    "Sleeps of the workers' idle back-off (dataplane.idle_sleep_us) after a run of empty poll " \
    "rounds.")

enum class MetricType : std::uint8_t { Counter, Gauge };

enum class MetricFamily : std::uint8_t {
  None,  // the counter is in the stats JSON (and telemetry) only
#define TAKEDOWN_X(id, name, type, label, help) id,
  TAKEDOWN_METRIC_FAMILIES(TAKEDOWN_X)
#undef TAKEDOWN_X
};

// X(field, "group", "key", Family, "label value"): every counter, summed over workers.
//   group, key:  where the stats JSON has it ("" group: the top level; "" key: not in the JSON);
//   Family:      its /metrics family (None: not there), with this label value ("": one sample).
// Rows of one group stand together. events_written is the main lcore's (lines the event log
// wrote); every other counter is written by the workers.
#define TAKEDOWN_COUNTERS(X)                                               \
  X(rx_packets, "", "rx_packets", None, "")                                \
  X(tx_packets, "", "tx_packets", None, "")                                \
  X(tx_errors, "", "tx_errors", TxErrors, "")                              \
  X(answered, "dropped_by", "answer_udp", Dropped, "answer_udp")          \
  X(answered_tcp, "dropped_by", "answer_tcp", Dropped, "answer_tcp")       \
  X(http_page, "dropped_by", "http_page", Dropped, "http_page")            \
  X(reset, "dropped_by", "reset", Dropped, "reset")                        \
  X(blocked_drop, "dropped_by", "drop", Dropped, "drop")                   \
  X(no_return_drop, "dropped_by", "no_return_path", Dropped, "no_return_path") \
  X(malformed_drop, "dropped_by", "malformed", Dropped, "malformed")       \
  X(over_budget_drop, "dropped_by", "quic_over_budget", Dropped,           \
    "quic_over_budget")                                                    \
  X(responses_sent, "replies_sent", "answer_udp", Replies, "answer_udp")   \
  X(tcp_answers_sent, "replies_sent", "answer_tcp", Replies, "answer_tcp") \
  X(pages_sent, "replies_sent", "http_page", Replies, "http_page")         \
  X(resets_sent, "replies_sent", "reset", Replies, "reset")                \
  X(reply_errors, "", "reply_errors", ReplyErrors, "")                     \
  X(blocked_dns, "blocked", "dns", None, "")                               \
  X(blocked_http, "blocked", "http", None, "")                             \
  X(blocked_tls, "blocked", "tls", None, "")                               \
  X(blocked_quic, "blocked", "quic", None, "")                             \
  X(allowed, "", "allowed", None, "")                                      \
  X(logged, "", "logged", None, "")                                        \
  X(passed, "", "passed", None, "")                                        \
  X(malformed, "", "malformed", None, "")                                  \
  X(truncated, "", "truncated", None, "")                                  \
  X(extracted_dns, "extracted", "dns", None, "")                           \
  X(extracted_http, "extracted", "http", None, "")                         \
  X(extracted_tls, "extracted", "tls", None, "")                           \
  X(extracted_quic, "extracted", "quic", None, "")                         \
  X(wrapped_pppoe, "wrapped", "pppoe", Wrapped, "pppoe")                   \
  X(wrapped_mpls, "wrapped", "mpls", Wrapped, "mpls")                      \
  X(wrapped_gre, "wrapped", "gre", Wrapped, "gre")                         \
  X(wrapped_vxlan, "wrapped", "vxlan", Wrapped, "vxlan")                   \
  X(wrapped_gtpu, "wrapped", "gtpu", Wrapped, "gtpu")                      \
  X(wrapped_ipip, "wrapped", "ipip", Wrapped, "ipip")                      \
  X(events_written, "events", "written", Events, "written")                \
  X(events_dropped, "events", "dropped", Events, "dropped")                \
  X(events_rate_limited, "events", "rate_limited", Events, "rate_limited") \
  X(flows_active, "flows", "active", FlowsActive, "")                      \
  X(flows_created, "flows", "created", Flows, "created")                   \
  X(flows_evicted, "flows", "evicted", Flows, "evicted")                   \
  X(flows_timed_out, "flows", "timed_out", Flows, "timed_out")             \
  X(flow_verdicts, "flows", "verdicts", FlowVerdicts, "")                  \
  X(reassembly_completed, "reassembly", "completed", Reassembly, "completed") \
  X(reassembly_abandoned, "reassembly", "abandoned", Reassembly, "abandoned") \
  X(overlap_conflicts, "reassembly", "overlap_conflicts", OverlapConflicts, "") \
  X(quic_decrypted, "quic", "decrypted", QuicInitials, "decrypted")        \
  X(quic_failed, "quic", "failed", QuicInitials, "failed")                 \
  X(quic_over_budget, "quic", "over_budget", QuicInitials, "over_budget")  \
  X(quic_held, "quic", "held", QuicHeld, "held")                           \
  X(quic_hold_timeouts, "quic", "hold_timeouts", QuicHeld, "timed_out")    \
  X(quic_hold_full, "quic", "hold_full", QuicHeld, "ring_full")            \
  X(quic_holding, "quic", "holding", None, "")                             \
  X(bursts, "", "bursts", None, "")                                        \
  X(idle_sleeps, "", "idle_sleeps", IdleSleeps, "")                        \
  X(busy_cycles, "", "", None, "")                                         \
  X(polled_cycles, "", "", None, "")

struct CounterRow {
  const char* field;
  const char* group;
  const char* key;
  MetricFamily family;
  const char* label;
};

struct FamilyRow {
  MetricFamily id;
  const char* name;
  MetricType type;
  const char* label_key;
  const char* help;
};

inline constexpr CounterRow kCounterRows[] = {
#define TAKEDOWN_X(field, group, key, family, label) \
  {#field, group, key, MetricFamily::family, label},
    TAKEDOWN_COUNTERS(TAKEDOWN_X)
#undef TAKEDOWN_X
};
inline constexpr std::size_t kCounterCount = sizeof kCounterRows / sizeof kCounterRows[0];

inline constexpr FamilyRow kFamilyRows[] = {
#define TAKEDOWN_X(id, name, type, label, help) \
  {MetricFamily::id, name, MetricType::type, label, help},
    TAKEDOWN_METRIC_FAMILIES(TAKEDOWN_X)
#undef TAKEDOWN_X
};

// Verdicts by the protocol a name came from and the decision (filters::Protocol x Decision).
inline constexpr std::size_t kProtocols = 5;
inline constexpr std::size_t kDecisions = 5;

// The counters as plain uint64_t, one per row, in table order (so values() can index them).
struct Counters {
#define TAKEDOWN_X(field, group, key, family, label) std::uint64_t field = 0;
  TAKEDOWN_COUNTERS(TAKEDOWN_X)
#undef TAKEDOWN_X
  std::uint64_t verdicts[kProtocols][kDecisions] = {};

  // Row i of kCounterRows.
  std::uint64_t value(std::size_t row) const { return (&rx_packets)[row]; }
  std::uint64_t& value(std::size_t row) { return (&rx_packets)[row]; }
  Counters& operator+=(const Counters& other);
};
static_assert(sizeof(Counters) ==
              (kCounterCount + kProtocols * kDecisions) * sizeof(std::uint64_t));

// The frames not forwarded because of a verdict: the sum of the "dropped_by" rows.
std::uint64_t dropped_total(const Counters& counters);

struct PortStats {
  std::string name;
  std::uint64_t rx = 0;
  std::uint64_t tx = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
  std::uint64_t rx_missed = 0;  // dropped by the device: the rx ring was full
};

struct WorkerLoad {
  std::uint64_t busy_cycles = 0;    // poll rounds that received something
  std::uint64_t polled_cycles = 0;  // all poll rounds
  bool lagging = false;             // past a grace period's deadline without a quiescent state
};

struct ReloadFigures {
  std::uint64_t loads = 0;
  std::uint64_t failures = 0;
  std::uint64_t grace_timeouts = 0;
  std::uint64_t retired_pending = 0;
  double last_verify_us = 0;
  double last_swap_us = 0;
  double last_compile_ms = 0;
  double last_load_unix = 0;
};

struct ReasonCount {
  std::string reason;
  std::uint64_t malformed = 0;
  std::uint64_t truncated = 0;
};

struct ListHits {
  std::string name;
  std::uint64_t hits = 0;
};

// A list that takedownctl fetches (URL) or transfers (RPZ), as takedownctl last reported it.
struct SourceStatus {
  std::string list;
  std::string kind;     // "url" or "transfer"
  std::string origin;   // the URL, or "zone Z from ADDRESS:PORT"
  std::string version;  // the ETag (or Last-Modified) of the copy, or its zone serial
  bool has_serial = false;
  std::uint64_t serial = 0;
  std::uint64_t entries = 0;
  std::uint64_t failures = 0;            // attempts that failed, ever
  std::uint64_t consecutive_failures = 0;
  double last_success_unix = 0;          // 0: never (no good copy)
  double last_attempt_unix = 0;
  std::string last_error;                // "" after a success
  bool expired = false;                  // a zone past its SOA expire time
};

struct Stats {
  Counters totals;
  std::vector<ListHits> lists;
  std::vector<PortStats> ports;
  std::uint64_t generation = 0;
  std::uint64_t domains = 0;
  unsigned workers = 0;
  double elapsed_seconds = 0;
  // /metrics only (not in the stats JSON):
  std::vector<WorkerLoad> worker_load;  // one per worker
  std::vector<ReasonCount> reasons;     // malformed and truncated frames by reason
  ReloadFigures reloads;
  std::vector<SourceStatus> sources;
  double now_unix = 0;  // when these were taken: the sources' age is now_unix - last_success_unix
};

// The stats object: the exit report on stdout and the `stats` reply's "stats".
void write_stats(JsonWriter& out, const Stats& stats);
std::string stats_json(const Stats& stats);

}  // namespace takedown::schema
