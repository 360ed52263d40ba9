// Worker: one lcore's loop. It owns its rx queues, one tx queue on every port, its tx buffers,
// its Hyperscan scratch and its counters; nothing is shared on the hot path but the read-only
// Runtime.
//
// Each burst of up to 32 frames goes through the stages STYLE.md describes: prefetch and extract
// every frame and give it to the worker's FlowTracker (names over several segments or QUIC
// Initials, blocked flows), check all DNS, TLS and QUIC names together with Matcher::match_burst (bloom filter
// first, the exact set and Hyperscan only for what needs them), HTTP requests with their path,
// then act: forward to the paired port, answer a DNS query (over UDP, or inside its TCP stream)
// or an HTTP request (the block page) back out of the ingress port, reset a TCP connection both
// ways, or drop. Tx is buffered per port and flushed when the
// buffer fills, when a poll round brings nothing, and at least every 100 microseconds.
#pragma once

#include <rte_mbuf.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "dataplane/events/event_ring.hpp"
#include "dataplane/stats/reason_counters.hpp"
#include "dataplane/stats/worker_counters.hpp"
#include "dataplane/worker/held_frames.hpp"
#include "dataplane/worker/runtime.hpp"
#include "dataplane/worker/tx_buffer.hpp"
#include "filters/flow/flow_tracker.hpp"
#include "filters/respond/dns_answer.hpp"

namespace takedown::dataplane {

class alignas(64) Worker {
 public:
  static constexpr std::uint16_t kBurst = 32;
  // Empty poll rounds in a row before a worker with dataplane.idle_sleep_us sleeps: a few
  // microseconds of silence on every rx queue it polls.
  static constexpr unsigned kIdlePolls = 64;

  // `index` is the worker's slot in every ActiveSnapshot, its tx queue on every port and its
  // RCU thread id.
  Worker(unsigned index, Runtime& runtime);

  // Cold path, before launch: a queue to poll.
  void add_rx_queue(std::size_t port_index, std::uint16_t queue);
  // Block and log decisions go to `ring` (owned by the caller), at most `per_second` a second
  // (0: no limit). Without a ring there is no event log.
  void set_events(EventRing* ring, std::uint32_t per_second) {
    events_ = ring;
    events_per_second_ = per_second;
  }
  // Cold path, before launch: the worker's flow table (without one, frames are judged alone),
  // and how long QUIC datagrams that leave their flow's name incomplete are held (0: not held).
  void set_flows(std::unique_ptr<filters::FlowTracker> flows, std::uint32_t quic_hold_ms);
  std::size_t rx_queue_count() const { return rx_.size(); }

  // The lcore entry point: polls until runtime.stop, then drains and flushes. Reports a
  // quiescent state to runtime.rcu after every poll round.
  void run();

  // Read by the main lcore after the worker has stopped, or live: each field is a naturally
  // aligned uint64_t that only this worker writes, so a reader sees a recent whole value.
  const WorkerCounters& counters() const { return counters_; }
  const std::vector<PortCounters>& port_counters() const { return port_counters_; }
  const ReasonCounters& reasons() const { return reasons_; }
  std::uint64_t last_rx_tsc() const { return last_rx_tsc_.load(std::memory_order_relaxed); }

 private:
  struct RxQueue {
    std::size_t port_index;
    std::uint16_t port_id;
    std::uint16_t queue;
  };

  bool poll_once(const ActiveSnapshot& active);
  void process(const RxQueue& rx, rte_mbuf** frames, std::uint16_t count,
               const ActiveSnapshot& active);
  void act(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
           const filters::Verdict& verdict, const ActiveSnapshot& active, WorkerSlot& slot);
  void block(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
             const filters::Policy& policy, const filters::Verdict& verdict,
             const ActiveSnapshot& active);
  // A frame of a blocked flow: the flow's action, without inspection or event.
  // Counts a wrapped frame by its outermost wrapper.
  void count_wrapper(std::span<const std::uint8_t> frame, const filters::DecodedPacket& packet);
  void act_on_flow(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
                   const filters::FlowStep& step);
  void copy_flow_counters();
  // A QUIC datagram of a flow whose name is incomplete: held if holding is on and there is room.
  bool hold(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x);
  // The flow's held datagrams, now that its name has `decision`: sent on, or dropped with a block.
  void release_held(rte_mbuf* m, const filters::Extraction& x, filters::Decision decision);
  void send_held(const HeldFrames::Held& h);
  // Before any rewrite of `frame`, which the event's addresses are copied from.
  void record_event(const RxQueue& rx, std::span<const std::uint8_t> frame,
                    const filters::Extraction& x, const filters::Verdict& verdict,
                    EventOutcome outcome, const filters::Policy& policy,
                    const filters::ListReply& reply, const ActiveSnapshot& active);
  // The reply in reply_ (`length` bytes: a DNS answer, or a stream reply with the server's side
  // reset) sent back out of the ingress port in place of `m`.
  void send_back(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x, EventOutcome sent,
                 std::size_t length);
  // How many bytes from its start `m` may be written over (0: it is shared or chained).
  static std::size_t own_room(const rte_mbuf* m);
  // The UDP answer written over its query `m` (filters::answers_in_place() said it can be), sent
  // back out of the ingress port; a negative answer takes its records from `tails`.
  void answer_in_place(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
                       const filters::Policy& policy, const filters::ListReply& reply,
                       const filters::DnsAnswerTails& tails);
  void send_reset_onwards(const RxQueue& rx, std::span<const std::uint8_t> frame,
                          const filters::Extraction& x);
  void reset(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x);
  // `m` rewritten to hold `length` bytes of `bytes`: in place when this worker alone holds it with
  // room (own_room), else a fresh mbuf (m freed). nullptr when no mbuf was to be had.
  rte_mbuf* rewrite(rte_mbuf* m, const std::uint8_t* bytes, std::size_t length);
  // To the ingress port's peer, through the buffer process() looked up once for the burst.
  void forward(const RxQueue&, rte_mbuf* m) { onward_->push(m, TxKind::Forward, counters_); }
  void forward_from(std::size_t port_index, rte_mbuf* m);
  void flush_all();

  unsigned index_;
  Runtime& runtime_;
  std::vector<RxQueue> rx_;
  std::vector<TxBuffer> tx_;  // by port index, each on this worker's tx queue
  std::vector<PortCounters> port_counters_;
  WorkerCounters counters_;
  ReasonCounters reasons_;
  std::atomic<std::uint64_t> last_rx_tsc_{0};
  std::unique_ptr<filters::FlowTracker> flows_;
  HeldFrames held_{256, 0};
  EventRing* events_ = nullptr;
  std::uint32_t events_per_second_ = 0;
  std::uint64_t event_window_start_ = 0;
  std::uint32_t events_in_window_ = 0;

  // Per-burst state, reused.
  TxBuffer* onward_ = nullptr;  // the tx buffer of the burst's ingress port's peer
  filters::Extraction extractions_[kBurst];
  filters::FlowStep steps_[kBurst];
  // The burst's verdicts, in the order they were decided (the batch of names, then the HTTP
  // requests), and for each frame the index of its own; kNoVerdict, a pass never written over,
  // for frames with no name to match.
  static constexpr std::uint8_t kNoVerdict = kBurst;
  filters::Verdict verdicts_[kBurst + 1];
  std::uint8_t verdict_of_[kBurst];
  const filters::DomainName* names_[kBurst];
  alignas(64) std::uint8_t reply_[filters::kMaxDnsAnswerFrame];
  alignas(64) std::uint8_t reply_onwards_[filters::kMaxDnsAnswerFrame];
};

}  // namespace takedown::dataplane
