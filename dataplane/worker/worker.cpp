#include "dataplane/worker/worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "filters/respond/tcp_reset.hpp"
#include "filters/respond/tcp_stream_reply.hpp"

namespace takedown::dataplane {

namespace {

using filters::Decision;
using filters::DecodeStatus;
using filters::Protocol;

constexpr std::uint16_t kPrefetchAhead = 4;
constexpr std::uint64_t kFlushMicroseconds = 100;
// Rounds of polling after the stop flag, to send on what is already in the rx rings.
constexpr int kDrainRounds = 64;

std::span<const std::uint8_t> frame_of(const rte_mbuf* m) {
  return {rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m)};
}

// The extracted_* counter of a protocol other than None: they stand in the protocols' order.
std::uint64_t& extracted(WorkerCounters& c, Protocol protocol) {
  static_assert(static_cast<int>(Protocol::Dns) == 1 && static_cast<int>(Protocol::Http) == 2 &&
                static_cast<int>(Protocol::Tls) == 3 && static_cast<int>(Protocol::Quic) == 4);
  static_assert(offsetof(schema::Counters, extracted_http) ==
                    offsetof(schema::Counters, extracted_dns) + 8 &&
                offsetof(schema::Counters, extracted_tls) ==
                    offsetof(schema::Counters, extracted_dns) + 16 &&
                offsetof(schema::Counters, extracted_quic) ==
                    offsetof(schema::Counters, extracted_dns) + 24);
  return (&c.extracted_dns)[static_cast<std::size_t>(protocol) - 1];
}

}  // namespace

Worker::Worker(unsigned index, Runtime& runtime)
    : index_(index),
      runtime_(runtime),
      tx_(runtime.ports.size()),
      port_counters_(runtime.ports.size()) {
  for (std::size_t p = 0; p < runtime.ports.size(); ++p) {
    tx_[p].bind(runtime.ports[p].port_id, static_cast<std::uint16_t>(index), &port_counters_[p]);
  }
}

void Worker::set_flows(std::unique_ptr<filters::FlowTracker> flows, std::uint32_t quic_hold_ms) {
  flows_ = std::move(flows);
  held_ = HeldFrames(256, rte_get_tsc_hz() * quic_hold_ms / 1000);
}

void Worker::add_rx_queue(std::size_t port_index, std::uint16_t queue) {
  rx_.push_back({port_index, runtime_.ports[port_index].port_id, queue});
}

void Worker::run() {
  const std::uint64_t flush_interval = rte_get_tsc_hz() * kFlushMicroseconds / 1000000;
  const std::uint32_t idle_sleep_us = runtime_.idle_sleep_us;
  // A thread's timer slack (50 us by default) would stretch every short sleep by as much.
  if (idle_sleep_us != 0) ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  unsigned idle_polls = 0;
  std::uint64_t last_flush = rte_rdtsc();
  last_rx_tsc_.store(last_flush, std::memory_order_relaxed);
  if (runtime_.rcu != nullptr) {
    rte_rcu_qsbr_thread_register(runtime_.rcu, index_);
    rte_rcu_qsbr_thread_online(runtime_.rcu, index_);
  }
  while (!runtime_.stop.load(std::memory_order_relaxed)) {
    // The snapshot is read once per poll round and holds for every burst in it; after the round
    // this worker no longer holds it, which is what the grace period waits for.
    const std::uint64_t round_start = rte_rdtsc();
    const ActiveSnapshot& active = *runtime_.active.load(std::memory_order_acquire);
    const bool received = poll_once(active);
    if (flows_ != nullptr) {
      const std::uint64_t now = rte_rdtsc();
      flows_->expire(now);
      if (held_.held() != 0) {
        held_.expire(now, [&](const HeldFrames::Held& h) {
          counters_.quic_hold_timeouts += 1;
          send_held(h);
        });
        counters_.quic_holding = held_.held();
      }
    }
    if (runtime_.rcu != nullptr) rte_rcu_qsbr_quiescent(runtime_.rcu, index_);
    std::atomic<std::uint64_t>& rounds = runtime_.progress[index_].rounds;
    rounds.store(rounds.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    const std::uint64_t now = rte_rdtsc();
    counters_.polled_cycles += now - round_start;
    if (received) counters_.busy_cycles += now - round_start;
    if (received) last_rx_tsc_.store(now, std::memory_order_relaxed);
    if (!received || now - last_flush > flush_interval) {
      flush_all();
      last_flush = now;
    }
    // Idle back-off: after a run of empty rounds, sleep, so that a worker sharing its core (with
    // another lcore, or the kernel's own work) gives it up while there is nothing to do. Under
    // load a round always receives, and the worker never sleeps.
    idle_polls = received ? 0 : idle_polls + 1;
    if (idle_sleep_us != 0 && idle_polls >= kIdlePolls) {
      rte_delay_us_sleep(idle_sleep_us);
      counters_.idle_sleeps += 1;
      // Asleep is idle: the busy ratio stays a share of the wall time.
      counters_.polled_cycles += rte_rdtsc() - now;
    }
  }
  const ActiveSnapshot& active = *runtime_.active.load(std::memory_order_acquire);
  for (int round = 0; round < kDrainRounds && poll_once(active); ++round) {
  }
  held_.take_all([&](const HeldFrames::Held& h) { send_held(h); });
  counters_.quic_holding = 0;
  flush_all();
  if (runtime_.rcu != nullptr) {
    rte_rcu_qsbr_thread_offline(runtime_.rcu, index_);
    rte_rcu_qsbr_thread_unregister(runtime_.rcu, index_);
  }
}

bool Worker::poll_once(const ActiveSnapshot& active) {
  bool received = false;
  rte_mbuf* frames[kBurst];
  for (const RxQueue& rx : rx_) {
    const std::uint16_t count = rte_eth_rx_burst(rx.port_id, rx.queue, frames, runtime_.burst);
    if (count == 0) continue;
    received = true;
    counters_.rx_packets += count;
    counters_.bursts += 1;
    port_counters_[rx.port_index].rx += count;
    for (std::uint16_t i = 0; i < count; ++i) {
      port_counters_[rx.port_index].rx_bytes += rte_pktmbuf_pkt_len(frames[i]);
    }
    process(rx, frames, count, active);
  }
  return received;
}

void Worker::process(const RxQueue& rx, rte_mbuf** frames, std::uint16_t count,
                     const ActiveSnapshot& active) {
  // Stage 1: extract every frame's name, prefetching a few frames ahead, and give the frame to
  // its flow: a name may need bytes from earlier packets, or the flow is already blocked. The
  // names to match are gathered here, in the same pass, not by a second walk over the frames.
  for (std::uint16_t i = 0; i < count && i < kPrefetchAhead; ++i) {
    rte_prefetch0(rte_pktmbuf_mtod(frames[i], void*));
  }
  const std::uint64_t now = rte_rdtsc();
  const filters::LinkType link = runtime_.ports[rx.port_index].link;
  onward_ = &tx_[runtime_.ports[rx.port_index].peer];
  std::size_t batch = 0;
  static_assert(kBurst <= 32, "one bit a frame");
  std::uint32_t http = 0;  // a bit a frame whose HTTP request is matched with its path
  for (std::uint16_t i = 0; i < count; ++i) {
    if (i + kPrefetchAhead < count)
      rte_prefetch0(rte_pktmbuf_mtod(frames[i + kPrefetchAhead], void*));
    const auto frame = frame_of(frames[i]);
    filters::Extraction& x = extractions_[i];
    filters::extract_name(frame, runtime_.extract_ports, x, link);
    if (x.packet.layers != 0) count_wrapper(frame, x.packet);
    const filters::FlowStep step =
        flows_ != nullptr ? flows_->step(frame, x, now) : filters::FlowStep{};
    steps_[i] = step;
    verdict_of_[i] = kNoVerdict;
    if (step.kind != filters::FlowStepKind::Packet && step.kind != filters::FlowStepKind::Named)
      continue;
    const filters::DomainName* name = x.name();
    if (name == nullptr) continue;
    if (x.protocol == Protocol::Http) {
      http |= std::uint32_t{1} << i;
    } else {
      verdict_of_[i] = static_cast<std::uint8_t>(batch);
      names_[batch++] = name;
    }
  }

  // Stage 2: DNS, TLS and QUIC names as one batch; HTTP requests one by one (their path matters).
  WorkerSlot& slot = active.slot(index_);
  if (batch != 0) active.matcher().match_burst({names_, batch}, {verdicts_, batch}, slot.scratch);
  for (std::size_t at = batch; http != 0; http &= http - 1, ++at) {
    const unsigned i = static_cast<unsigned>(__builtin_ctz(http));
    const filters::Extraction& x = extractions_[i];
    verdicts_[at] = active.matcher().match_http(*x.name(), x.http.path, slot.scratch);
    verdict_of_[i] = static_cast<std::uint8_t>(at);
  }

  // Stage 3: act. A flow learns its verdict before the frame is rewritten (a reset is written
  // over it); a frame that followed a name of its flow in this burst gets that name's outcome.
  for (std::uint16_t i = 0; i < count; ++i) {
    filters::Extraction& x = extractions_[i];
    filters::FlowStep& step = steps_[i];
    if (step.kind == filters::FlowStepKind::Follows)
      step = flows_->resolve(frame_of(frames[i]), x, now);
    switch (step.kind) {
      case filters::FlowStepKind::Named: {
        const filters::Verdict& v = verdicts_[verdict_of_[i]];
        std::uint8_t action = static_cast<std::uint8_t>(filters::TcpResponse::Drop);
        if (v.decision == Decision::Block) {
          const filters::Policy& policy = active.snapshot().policies()[v.rule.policy];
          if (x.protocol == Protocol::Tls) action = static_cast<std::uint8_t>(policy.tls);
          if (x.protocol == Protocol::Http) action = static_cast<std::uint8_t>(policy.http);
        }
        flows_->settle(frame_of(frames[i]), step, x, v, action, now);
        if (x.protocol == Protocol::Quic) release_held(frames[i], x, v.decision);
        act(rx, frames[i], x, v, active, slot);
        break;
      }
      case filters::FlowStepKind::Blocked:
        act_on_flow(rx, frames[i], x, step);
        break;
      case filters::FlowStepKind::OverBudget:
        counters_.verdicts[static_cast<std::size_t>(Protocol::Quic)]
                          [static_cast<std::size_t>(Decision::Pass)] += 1;
        counters_.over_budget_drop += 1;
        rte_pktmbuf_free(frames[i]);
        break;
      case filters::FlowStepKind::Gathering:
        if (x.protocol == Protocol::Quic && hold(rx, frames[i], x)) break;
        act(rx, frames[i], x, verdicts_[verdict_of_[i]], active, slot);
        break;
      case filters::FlowStepKind::Packet:
        // A QUIC flow whose gathering ended without a name: what it held goes on first.
        if (x.protocol == Protocol::Quic) release_held(frames[i], x, Decision::Pass);
        act(rx, frames[i], x, verdicts_[verdict_of_[i]], active, slot);
        break;
      case filters::FlowStepKind::Follows:
        act(rx, frames[i], x, verdicts_[verdict_of_[i]], active, slot);
        break;
    }
  }
  counters_.quic_holding = held_.held();
  if (flows_ != nullptr) copy_flow_counters();
}

void Worker::count_wrapper(std::span<const std::uint8_t> frame, const filters::DecodedPacket& p) {
  filters::Wrapper outermost;
  if (p.wrappers(frame, &outermost, 1) == 0) return;
  switch (outermost.kind) {
    case filters::WrapperKind::Pppoe:
      counters_.wrapped_pppoe += 1;
      break;
    case filters::WrapperKind::Mpls:
      counters_.wrapped_mpls += 1;
      break;
    case filters::WrapperKind::Gre:
      counters_.wrapped_gre += 1;
      break;
    case filters::WrapperKind::Vxlan:
      counters_.wrapped_vxlan += 1;
      break;
    case filters::WrapperKind::GtpU:
      counters_.wrapped_gtpu += 1;
      break;
    case filters::WrapperKind::IpInIp:
      counters_.wrapped_ipip += 1;
      break;
  }
}

void Worker::act_on_flow(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
                         const filters::FlowStep& step) {
  counters_.verdicts[static_cast<std::size_t>(x.protocol)]
                    [static_cast<std::size_t>(Decision::Block)] += 1;
  counters_.blocked_http += x.protocol == Protocol::Http;
  counters_.blocked_tls += x.protocol == Protocol::Tls;
  counters_.blocked_quic += x.protocol == Protocol::Quic;
  // After the block page, the client's bare ACKs of it are let die quietly: a RST in answer could
  // reach the client before its browser has read the page. Its FIN or anything else is reset.
  const bool page_ack = step.action == static_cast<std::uint8_t>(filters::TcpResponse::Page) &&
                        x.packet.payload_length == 0 &&
                        (x.packet.tcp_flags & (filters::DecodedPacket::kFin |
                                               filters::DecodedPacket::kSyn |
                                               filters::DecodedPacket::kRst)) == 0;
  if (x.protocol == Protocol::Quic ||
      step.action == static_cast<std::uint8_t>(filters::TcpResponse::Drop) || page_ack) {
    counters_.blocked_drop += 1;
    rte_pktmbuf_free(m);
    return;
  }
  reset(rx, m, x);
}

bool Worker::hold(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x) {
  if (!held_.enabled()) return false;
  const auto frame = frame_of(m);
  const std::uint64_t flow = filters::FlowTable::hash(filters::FlowKey::of(frame, x.packet));
  if (!held_.hold(m, flow, rx.port_index, rte_rdtsc())) {
    counters_.quic_hold_full += 1;
    return false;
  }
  counters_.quic_held += 1;
  return true;
}

void Worker::release_held(rte_mbuf* m, const filters::Extraction& x, Decision decision) {
  if (held_.held() == 0) return;
  const std::uint64_t flow = filters::FlowTable::hash(filters::FlowKey::of(frame_of(m), x.packet));
  held_.take(flow, [&](const HeldFrames::Held& h) {
    if (decision != Decision::Block) {
      send_held(h);
      return;
    }
    // Dropped with the name, as the flow's later packets are.
    counters_.verdicts[static_cast<std::size_t>(Protocol::Quic)]
                      [static_cast<std::size_t>(Decision::Block)] += 1;
    counters_.blocked_quic += 1;
    counters_.blocked_drop += 1;
    rte_pktmbuf_free(h.frame);
  });
}

// A held datagram sent on: counted as it would have been had it gone at once (a pass).
void Worker::send_held(const HeldFrames::Held& h) {
  counters_.verdicts[static_cast<std::size_t>(Protocol::Quic)]
                    [static_cast<std::size_t>(Decision::Pass)] += 1;
  counters_.passed += 1;
  forward_from(h.rx_port, h.frame);
}

void Worker::copy_flow_counters() {
  const filters::FlowCounters& f = flows_->counters();
  counters_.flows_active = f.active;
  counters_.flows_created = f.created;
  counters_.flows_evicted = f.evicted;
  counters_.flows_timed_out = f.timed_out;
  counters_.flow_verdicts = f.flow_verdicts;
  counters_.reassembly_completed = f.reassembled;
  counters_.reassembly_abandoned = f.abandoned;
  counters_.overlap_conflicts = f.overlap_conflicts;
  counters_.quic_decrypted = f.quic_decrypted;
  counters_.quic_failed = f.quic_failed;
  counters_.quic_over_budget = f.quic_over_budget;
}

// Inlined into process(), which calls it for every frame (its blocking half, block(), stays out of
// line): run_pipeline.py against the call, 8 rounds each, 1.019 and 1.008 on the 10% DNS mix,
// 1.029 on the 0% mix (faster in 8 of 8), 0.997 on transit.
__attribute__((always_inline)) inline void Worker::act(const RxQueue& rx, rte_mbuf* m,
                                                       const filters::Extraction& x,
                 const filters::Verdict& verdict, const ActiveSnapshot& active, WorkerSlot& slot) {
  const bool named = x.name() != nullptr;
  if (x.status == DecodeStatus::Malformed) {
    counters_.malformed += 1;
    reasons_.count(x.reason, false);
  } else if (x.status == DecodeStatus::Truncated) {
    counters_.truncated += 1;
    reasons_.count(x.reason, true);
  }
  counters_
      .verdicts[static_cast<std::size_t>(x.protocol)][static_cast<std::size_t>(verdict.decision)] +=
      1;
  // A frame with a name has a protocol; its counter is found by it, not by four compares.
  if (named) extracted(counters_, x.protocol) += 1;
  switch (verdict.decision) {
    case Decision::Block:
      slot.list_hits[verdict.rule.list] += 1;
      block(rx, m, x, active.snapshot().policies()[verdict.rule.policy], verdict, active);
      return;
    case Decision::Allow:
      slot.list_hits[verdict.rule.list] += 1;
      counters_.allowed += 1;
      forward(rx, m);
      return;
    case Decision::Log:
      slot.list_hits[verdict.rule.list] += 1;
      counters_.logged += 1;
      if (events_ != nullptr) {
        record_event(rx, frame_of(m), x, verdict, EventOutcome::Forwarded,
                     active.snapshot().policies()[verdict.rule.policy],
                     active.snapshot().reply(verdict.rule.list), active);
      }
      forward(rx, m);
      return;
    case Decision::Pass:
    case Decision::Invalid:
      break;
  }
  const bool broken = x.status == DecodeStatus::Malformed || x.status == DecodeStatus::Truncated;
  if (!named && broken && runtime_.malformed == schema::MalformedPolicy::Drop) {
    counters_.malformed_drop += 1;
    rte_pktmbuf_free(m);
    return;
  }
  counters_.passed += 1;
  forward(rx, m);
}

void Worker::block(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
                   const filters::Policy& policy, const filters::Verdict& verdict,
                   const ActiveSnapshot& active) {
  counters_.blocked_dns += x.protocol == Protocol::Dns;
  counters_.blocked_http += x.protocol == Protocol::Http;
  counters_.blocked_tls += x.protocol == Protocol::Tls;
  counters_.blocked_quic += x.protocol == Protocol::Quic;
  const auto frame = frame_of(m);
  const bool udp = x.packet.l4_protocol == filters::DecodedPacket::kUdp;
  const filters::ListReply reply = active.snapshot().reply(verdict.rule.list);

  // What goes back, built into reply_ before anything is sent or the frame rewritten; a UDP answer
  // that can is written over its query instead, once the event has read the query.
  EventOutcome sent = EventOutcome::Reset;
  std::size_t length = 0;
  bool in_place = false;
  switch (x.protocol) {
    case Protocol::Dns:
      if (policy.dns == filters::DnsResponse::Drop) {
        sent = EventOutcome::Dropped;
        break;
      }
      if (udp && filters::answers_in_place(x, own_room(m))) {
        in_place = true;
        sent = EventOutcome::Answered;
        break;
      }
      length = filters::write_dns_answer(frame, x, policy, reply, reply_);
      // Over UDP, no answer is a query through MPLS or GTP-U; over TCP, the reset says it.
      sent = length != 0 ? (udp ? EventOutcome::Answered : EventOutcome::AnsweredTcp)
             : udp       ? EventOutcome::Dropped
                         : EventOutcome::Reset;
      break;
    case Protocol::Http:
      if (policy.http == filters::TcpResponse::Drop) {
        sent = EventOutcome::Dropped;
      } else if (policy.http == filters::TcpResponse::Page) {
        const auto page = std::span(reinterpret_cast<const std::uint8_t*>(reply.http_page.data()),
                                    reply.http_page.size());
        length = filters::write_tcp_stream_reply(frame, x.packet, page, reply_);
        if (length != 0) sent = EventOutcome::Page;
      }
      break;
    case Protocol::Tls:
      if (policy.tls == filters::TcpResponse::Drop) sent = EventOutcome::Dropped;
      break;
    case Protocol::Quic:
      // No reset for QUIC: dropping the Initials keeps the handshake from completing, and the
      // browser falls back to TCP, where the TLS check applies.
    case Protocol::None:
      sent = EventOutcome::Dropped;
      break;
  }
  if (events_ != nullptr) {
    // Through MPLS or GTP-U no answer or reset can go back: the block is a drop.
    const bool back = filters::can_reply(x.packet, filters::ReplyDirection::Back);
    record_event(rx, frame, x, verdict, back ? sent : EventOutcome::Dropped, policy, reply,
                 active);
  }
  switch (sent) {
    case EventOutcome::Answered:
    case EventOutcome::AnsweredTcp:
    case EventOutcome::Page:
      if (in_place) {
        answer_in_place(rx, m, x, policy, reply, active.answer_tails(verdict.rule.list));
        return;
      }
      send_back(rx, m, x, sent, length);
      return;
    case EventOutcome::Reset:
      reset(rx, m, x);
      return;
    case EventOutcome::Dropped:
    case EventOutcome::Forwarded:
      break;
  }
  // A UDP answer that could not go back (MPLS, GTP-U) is a drop for want of a return path.
  const bool no_return = x.protocol == Protocol::Dns && udp && policy.dns != filters::DnsResponse::Drop;
  counters_.blocked_drop += no_return ? 0 : 1;
  counters_.no_return_drop += no_return ? 1 : 0;
  rte_pktmbuf_free(m);
}

void Worker::send_back(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
                       EventOutcome sent, std::size_t length) {
  TxKind kind = TxKind::Answer;
  if (sent == EventOutcome::Answered) {
    counters_.answered += 1;
  } else {
    // In a TCP stream: the server's side of the connection is reset.
    send_reset_onwards(rx, frame_of(m), x);
    kind = sent == EventOutcome::Page ? TxKind::Page : TxKind::TcpAnswer;
    counters_.answered_tcp += sent == EventOutcome::AnsweredTcp;
    counters_.http_page += sent == EventOutcome::Page;
  }
  rte_mbuf* back = rewrite(m, reply_, length);
  if (back == nullptr) {
    counters_.reply_errors += 1;
    return;
  }
  tx_[rx.port_index].push(back, kind, counters_);
}

void Worker::record_event(const RxQueue& rx, std::span<const std::uint8_t> frame,
                          const filters::Extraction& x, const filters::Verdict& verdict,
                          EventOutcome outcome, const filters::Policy& policy,
                          const filters::ListReply& reply, const ActiveSnapshot& active) {
  const std::uint64_t now = rte_rdtsc();
  if (events_per_second_ != 0) {
    if (now - event_window_start_ >= rte_get_tsc_hz()) {
      event_window_start_ = now;
      events_in_window_ = 0;
    }
    if (events_in_window_ >= events_per_second_) {
      counters_.events_rate_limited += 1;
      return;
    }
    ++events_in_window_;
  }
  BlockEvent* e = events_->reserve();
  if (e == nullptr) {
    counters_.events_dropped += 1;
    return;
  }
  const filters::DecodedPacket& p = x.packet;
  e->tsc = now;
  e->generation = active.generation();
  e->rule_line = verdict.rule.line;
  e->list = verdict.rule.list;
  e->qtype = x.protocol == Protocol::Dns ? x.dns.qtype : 0;
  e->src_port = p.src_port;
  e->dst_port = p.dst_port;
  e->vlan_count = p.vlan_count;
  e->vlan[0] = p.vlan_tci[0];
  e->vlan[1] = p.vlan_tci[1];
  filters::Wrapper wrappers[BlockEvent::kMaxWrappers];
  e->wrapper_count = static_cast<std::uint8_t>(p.wrappers(frame, wrappers, BlockEvent::kMaxWrappers));
  for (std::uint8_t w = 0; w < e->wrapper_count; ++w) {
    e->wrapper_kind[w] = static_cast<std::uint8_t>(wrappers[w].kind);
    e->wrapper_has_id[w] = wrappers[w].has_id ? 1 : 0;
    e->wrapper_id[w] = wrappers[w].id;
  }
  e->ip_version = p.ip_version;
  e->l4_protocol = p.l4_protocol;
  e->protocol = static_cast<std::uint8_t>(x.protocol);
  e->decision = static_cast<std::uint8_t>(verdict.decision);
  e->outcome = outcome;
  e->response = static_cast<std::uint8_t>(policy.dns);
  const bool answered = outcome == EventOutcome::Answered || outcome == EventOutcome::AnsweredTcp;
  e->ede =
      answered && filters::query_edns(frame, x).present ? filters::ede_info_code(reply.ede) : 0;
  // "HTTP/1.1 403 ..." or "HTTP/1.1 302 ...": the status is the three digits at 9.
  e->http_status = 0;
  if (outcome == EventOutcome::Page && reply.http_page.size() > 12) {
    for (int i = 9; i < 12; ++i)
      e->http_status = static_cast<std::uint16_t>(e->http_status * 10 + (reply.http_page[i] - '0'));
  }
  e->port = static_cast<std::uint8_t>(rx.port_index);
  const auto src = p.src_address(frame);
  const auto dst = p.dst_address(frame);
  std::memcpy(e->src_ip, src.data(), src.size());
  std::memcpy(e->dst_ip, dst.data(), dst.size());
  const std::string_view name = x.name()->view();
  e->name_length = static_cast<std::uint8_t>(std::min(name.size(), BlockEvent::kMaxName));
  std::memcpy(e->name, name.data(), e->name_length);
  e->path_length = 0;
  if (x.protocol == Protocol::Http) {
    e->path_length = static_cast<std::uint8_t>(std::min(x.http.path.size(), BlockEvent::kMaxPath));
    std::memcpy(e->path, x.http.path.data(), e->path_length);
  }
  events_->commit();
}

void Worker::send_reset_onwards(const RxQueue& rx, std::span<const std::uint8_t> frame,
                                const filters::Extraction& x) {
  const std::size_t onwards =
      filters::write_tcp_reset(frame, x.packet, filters::ReplyDirection::Onwards, reply_onwards_);
  if (onwards == 0) return;
  rte_mbuf* to_server = rte_pktmbuf_alloc(runtime_.pool);
  if (to_server == nullptr) {
    counters_.reply_errors += 1;
    return;
  }
  std::memcpy(rte_pktmbuf_mtod(to_server, void*), reply_onwards_, onwards);
  to_server->data_len = static_cast<std::uint16_t>(onwards);
  to_server->pkt_len = static_cast<std::uint32_t>(onwards);
  tx_[runtime_.ports[rx.port_index].peer].push(to_server, TxKind::Reset, counters_);
}

void Worker::reset(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x) {
  const auto frame = frame_of(m);
  const std::size_t back =
      filters::write_tcp_reset(frame, x.packet, filters::ReplyDirection::Back, reply_);
  // Through MPLS or GTP-U only the reset onwards can be built: the segment is dropped.
  if (back == 0) {
    counters_.no_return_drop += 1;
  } else {
    counters_.reset += 1;
  }
  send_reset_onwards(rx, frame, x);
  if (back == 0) {
    rte_pktmbuf_free(m);
    return;
  }
  rte_mbuf* to_client = rewrite(m, reply_, back);
  if (to_client == nullptr) {
    counters_.reply_errors += 1;
    return;
  }
  tx_[rx.port_index].push(to_client, TxKind::Reset, counters_);
}

std::size_t Worker::own_room(const rte_mbuf* m) {
  // Only a frame this worker alone holds may be written over: one segment, in its own buffer.
  if (m->nb_segs != 1 || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1) return 0;
  return std::size_t{rte_pktmbuf_data_len(m)} + rte_pktmbuf_tailroom(m);
}

void Worker::answer_in_place(const RxQueue& rx, rte_mbuf* m, const filters::Extraction& x,
                             const filters::Policy& policy, const filters::ListReply& reply,
                             const filters::DnsAnswerTails& tails) {
  const std::size_t length = filters::write_dns_answer_in_place(
      {rte_pktmbuf_mtod(m, std::uint8_t*), rte_pktmbuf_data_len(m)}, x, policy, reply, &tails);
  m->data_len = static_cast<std::uint16_t>(length);
  m->pkt_len = static_cast<std::uint32_t>(length);
  m->ol_flags = 0;
  counters_.answered += 1;
  tx_[rx.port_index].push(m, TxKind::Answer, counters_);
}

rte_mbuf* Worker::rewrite(rte_mbuf* m, const std::uint8_t* bytes, std::size_t length) {
  // A chained, shared or attached mbuf is not written over: the reply takes a fresh one.
  if (own_room(m) < length) {
    rte_pktmbuf_free(m);
    m = rte_pktmbuf_alloc(runtime_.pool);
    if (m == nullptr) return nullptr;
  }
  std::memcpy(rte_pktmbuf_mtod(m, void*), bytes, length);
  m->data_len = static_cast<std::uint16_t>(length);
  m->pkt_len = static_cast<std::uint32_t>(length);
  m->ol_flags = 0;
  return m;
}

void Worker::forward_from(std::size_t port_index, rte_mbuf* m) {
  tx_[runtime_.ports[port_index].peer].push(m, TxKind::Forward, counters_);
}

void Worker::flush_all() {
  for (TxBuffer& tx : tx_) tx.flush(counters_);
}

}  // namespace takedown::dataplane
