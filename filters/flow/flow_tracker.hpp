// FlowTracker: names that live in flows. One per worker (and one per `takedownctl inspect`); it
// takes each frame after extract_name() and says what the frame is to the flow it belongs to.
//
//   TCP to an HTTP or TLS port: a SYN (with or without Fast Open data) opens an entry; the
//     client's first bytes are gathered from segments in order or not, repeated or overlapping,
//     until the ClientHello (over any number of records) or the request head names the host.
//     A first segment seen without its SYN opens one too if it starts a ClientHello or request.
//   UDP to a QUIC port: client Initials (v1, v2) are decrypted with the Initial keys of the
//     flow's first DCID (tried first after a DCID change, then the packet's own DCID; a Retry
//     seen from the server starts the flow's keys and stream over), coalesced packets walked,
//     and the CRYPTO stream rebuilt from frames in any order across packets. Decryption is
//     bounded by a per-tracker budget; past it, Initials are counted and dropped or forwarded.
//   A flow whose name was blocked keeps its verdict until blocked_timeout: its later packets
//     get it at once (Blocked), without inspection.
//
// The data plane's loop: step() every frame of a burst; match the names of Named steps; act,
// calling settle() for each Named step with its verdict and resolve() for each Follows step
// (another frame of a flow whose name waits for its verdict in the same burst). The tracker keeps
// no frames: the data plane forwards Gathering TCP segments at once and holds Gathering QUIC
// datagrams until the name's verdict (dataplane/worker/held_frames.hpp). A QUIC flow whose name
// passed is remembered (Passed), so its later Initials are Packet steps, not decrypted again,
// until the client's first short-header packet (its handshake is over) ends the entry.
//
// Hot path: no allocation, lock or syscall; frames of other flows cost one table lookup at most,
// and those of no tracked flow only a test of the table's presence filter.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "filters/common/result.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/flow/flow_config.hpp"
#include "filters/flow/flow_table.hpp"
#include "filters/match/verdict.hpp"
#include "filters/quic/quic_crypto.hpp"

namespace takedown::filters {

enum class FlowStepKind : std::uint8_t {
  Packet,     // nothing for the flow table: decide on the Extraction as extract_name() left it
  Named,      // the Extraction holds a name (of this packet alone, or gathered): match, settle()
  Gathering,  // part of a name still incomplete: forward
  Blocked,    // the flow is blocked: act on `action`, as for x.protocol, without inspection
  Follows,    // the flow's name waits for its verdict in this burst: resolve() when acting
  OverBudget, // a QUIC Initial past the decryption budget, the policy says drop
};

// Eight bytes, so that step() returns it in a register: a larger one went through the stack,
// and the worker's copy of it into its burst array stalled on store forwarding (~9 ns a frame).
struct FlowStep {
  FlowStepKind kind = FlowStepKind::Packet;
  std::uint8_t action = 0;  // Blocked: what settle() was given with the verdict
  std::uint32_t entry = FlowTable::kNone;
};
static_assert(sizeof(FlowStep) == 8);

class FlowTracker {
 public:
  static constexpr std::size_t kMaxDatagram = 16384;

  // Cold path: the table, the slots and the QUIC contexts. Fails only if libcrypto does.
  static Result<std::unique_ptr<FlowTracker>> create(const FlowConfig& config,
                                                     const ExtractPorts& ports,
                                                     std::uint64_t ticks_per_second);

  FlowStep step(std::span<const std::uint8_t> frame, Extraction& x, std::uint64_t now) {
    // DNS (by far the most frames in front of a resolver) and undecoded frames: nothing to do,
    // decided here, inline, without a call.
    if (!x.decoded || x.protocol == Protocol::Dns) return FlowStep{};
    return step_transport(frame, x, now);
  }
  // After the verdict of a Named step: a block is remembered for the flow, with `action` (the
  // caller's: what to do with its later packets, whatever a reload does to the policies), and
  // anything else ends its entry. Call before the frame is rewritten, and before the next step()
  // of the same flow.
  void settle(std::span<const std::uint8_t> frame, const FlowStep& step, const Extraction& x,
              const Verdict& verdict, std::uint8_t action, std::uint64_t now);
  // A Blocked step's verdict: the one settle() remembered for its flow. Valid until the next
  // step() or expire().
  const Verdict& verdict_of(const FlowStep& blocked) { return table_.entry(blocked.entry).verdict; }
  // For a Follows step, once the earlier frame's verdict is settled: Blocked, or Packet.
  FlowStep resolve(std::span<const std::uint8_t> frame, Extraction& x, std::uint64_t now);
  // Call once per poll round: sweeps a few entries for timeouts. Nothing to sweep (the DNS in
  // front of a resolver makes no flows) costs one compare. 16 ways a round still sweep a 64k
  // table several times a second at any real polling rate (over 100k rounds a second).
  void expire(std::uint64_t now) {
    if (table_.counters().active != 0) table_.expire(now, kSweepPerRound);
  }
  static constexpr std::uint32_t kSweepPerRound = 16;

  const FlowCounters& counters() const { return table_.counters(); }
  FlowTable& table() { return table_; }

 private:
  FlowTracker(const FlowConfig& config, const ExtractPorts& ports, std::uint64_t ticks_per_second,
              std::unique_ptr<QuicCrypto> crypto);

  FlowStep step_transport(std::span<const std::uint8_t> frame, Extraction& x, std::uint64_t now);
  // The frames step_transport() does not settle by the presence filter alone; `tracked` is its
  // answer. Out of line, so that the common frame does not pay for their registers.
  __attribute__((noinline)) FlowStep tcp(std::span<const std::uint8_t> frame, Extraction& x,
                                         std::uint64_t now, bool tracked);
  __attribute__((noinline)) FlowStep quic(std::span<const std::uint8_t> frame, Extraction& x,
                                          std::uint64_t now, bool tracked);
  // A server's long-header datagram (step_transport() checked the header form): a Retry starts
  // its flow's gathering over.
  __attribute__((noinline)) void quic_from_server(std::span<const std::uint8_t> frame,
                                                  const Extraction& x, std::uint64_t now);
  // Reads the flow's gathered stream: Named, Gathering, or Packet (entry ended).
  FlowStep evaluate(std::uint32_t entry, Extraction& x);
  FlowStep blocked(std::uint32_t entry, Extraction& x, std::uint64_t now);
  bool take_decrypt_budget(std::uint64_t now);
  // Decrypts the Initials of the datagram copied into quic_scratch_ and feeds their CRYPTO
  // frames to the flow, making its entry and slot once one decrypts. False if none did.
  bool read_initials(std::span<const std::uint8_t> datagram, const FlowKey& key,
                     std::uint64_t hash, std::uint32_t& entry, Extraction& x, std::uint64_t now);

  FlowConfig config_;
  ExtractPorts ports_;
  FlowTable table_;
  std::unique_ptr<QuicCrypto> crypto_;
  std::uint64_t decrypt_cost_ = 0;       // ticks of budget one decryption takes
  std::uint64_t decrypt_tolerance_ = 0;  // how far ahead of now the budget may run
  std::uint64_t decrypt_tat_ = 0;        // when the budget is next free (GCRA)
  std::unique_ptr<std::uint8_t[]> join_scratch_;
  std::size_t join_size_ = 0;
  std::unique_ptr<std::uint8_t[]> quic_scratch_;
};

}  // namespace takedown::filters
