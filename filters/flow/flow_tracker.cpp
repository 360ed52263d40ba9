#include "filters/flow/flow_tracker.hpp"

#include <algorithm>
#include <cstring>

#include <xxhash.h>

#include "filters/http/http_request.hpp"
#include "filters/quic/quic_packet.hpp"
#include "filters/tls/client_hello.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(OverBudgetPolicy, TAKEDOWN_OVER_BUDGET_POLICIES)

namespace {

constexpr std::uint8_t kFin = DecodedPacket::kFin;
constexpr std::uint8_t kSyn = DecodedPacket::kSyn;
constexpr std::uint8_t kRst = DecodedPacket::kRst;
constexpr std::uint8_t kAck = DecodedPacket::kAck;
// A client's datagram that carries an Initial is at least this long (RFC 9000 section 14.1).
constexpr std::size_t kMinInitialDatagram = 1200;

std::span<const std::uint8_t> payload_of(std::span<const std::uint8_t> frame,
                                         const DecodedPacket& p) {
  return frame.subspan(p.payload_offset, p.payload_length);
}

FlowStep step_of(FlowStepKind kind, std::uint32_t entry = FlowTable::kNone) {
  FlowStep s;
  s.kind = kind;
  s.entry = entry;
  return s;
}

std::uint32_t dcid_tag(std::span<const std::uint8_t> dcid) {
  return static_cast<std::uint32_t>(XXH3_64bits(dcid.data(), dcid.size()));
}

void mark_gathering(Extraction& x, Protocol protocol) {
  x.protocol = protocol;
  x.status = DecodeStatus::NotApplicable;
  x.reason = "reassembling";
  x.tls.has_name = false;
}

}  // namespace

Result<std::unique_ptr<FlowTracker>> FlowTracker::create(const FlowConfig& config,
                                                         const ExtractPorts& ports,
                                                         std::uint64_t ticks_per_second) {
  auto crypto = QuicCrypto::create();
  if (!crypto) return Error{crypto.error()};
  return std::unique_ptr<FlowTracker>(
      new FlowTracker(config, ports, ticks_per_second, std::move(crypto.value())));
}

FlowTracker::FlowTracker(const FlowConfig& config, const ExtractPorts& ports,
                         std::uint64_t ticks_per_second, std::unique_ptr<QuicCrypto> crypto)
    : config_(config), ports_(ports), table_(config, ticks_per_second), crypto_(std::move(crypto)) {
  if (config.quic_decrypts_per_second != 0) {
    decrypt_cost_ = std::max<std::uint64_t>(1, ticks_per_second / config.quic_decrypts_per_second);
    decrypt_tolerance_ = ticks_per_second / 10;  // a tenth of a second's worth in one go
  }
  join_size_ = table_.slot(0).stream.capacity();
  join_scratch_ = std::make_unique<std::uint8_t[]>(join_size_);
  quic_scratch_ = std::make_unique<std::uint8_t[]>(kMaxDatagram);
}

// Most frames of an ISP's transit belong to no tracked flow and start none: established data
// segments, QUIC short headers. They are settled here, by the presence filter, without the key
// and its hash, in a function small enough to keep everything in scratch registers; the rest
// take tcp() or quic(), out of line, which would settle those frames alike.
FlowStep FlowTracker::step_transport(std::span<const std::uint8_t> frame, Extraction& x,
                                     std::uint64_t now) {
  const DecodedPacket& p = x.packet;
  if (p.l4_protocol == DecodedPacket::kTcp) {
    if (!ExtractPorts::listed(ports_.tls, p.dst_port) &&
        !ExtractPorts::listed(ports_.http, p.dst_port)) {
      return step_of(FlowStepKind::Packet);
    }
    const bool syn = (p.tcp_flags & (kSyn | kAck)) == kSyn;
    const bool tracked = table_.may_hold(FlowKey::presence_of(frame, p));
    if (!tracked && !syn) {
      if (p.payload_length == 0) return step_of(FlowStepKind::Packet);
      if (x.name() != nullptr) return step_of(FlowStepKind::Named);
      if (x.status != DecodeStatus::Truncated) return step_of(FlowStepKind::Packet);
    }
    return tcp(frame, x, now, tracked);
  }
  const bool long_header = p.payload_length != 0 && (frame[p.payload_offset] & 0x80) != 0;
  if (ExtractPorts::listed(ports_.quic, p.dst_port)) {
    const bool tracked = table_.may_hold(FlowKey::presence_of(frame, p));
    if (!tracked && !long_header) return step_of(FlowStepKind::Packet);
    return quic(frame, x, now, tracked);
  }
  // Only a Retry from a server matters, and it has a long header.
  if (long_header && ExtractPorts::listed(ports_.quic, p.src_port)) quic_from_server(frame, x, now);
  return step_of(FlowStepKind::Packet);
}

FlowStep FlowTracker::blocked(std::uint32_t entry, Extraction& x, std::uint64_t now) {
  FlowEntry& e = table_.entry(entry);
  e.last_seen = now;
  table_.counters().flow_verdicts += 1;
  x.protocol = e.protocol;
  x.status = DecodeStatus::Ok;
  x.reason = "flow_verdict";
  FlowStep s = step_of(FlowStepKind::Blocked, entry);
  s.action = e.action;
  return s;
}

FlowStep FlowTracker::tcp(std::span<const std::uint8_t> frame, Extraction& x, std::uint64_t now,
                         bool tracked) {
  const DecodedPacket& p = x.packet;
  const bool syn = (p.tcp_flags & (kSyn | kAck)) == kSyn;
  const auto payload = payload_of(frame, p);
  const FlowKey key = FlowKey::of(frame, p);
  const std::uint64_t hash = FlowTable::hash(key);
  std::uint32_t entry = tracked ? table_.find(key, hash, now) : FlowTable::kNone;
  if (entry != FlowTable::kNone) {
    FlowEntry& e = table_.entry(entry);
    if (e.state == FlowState::Deciding) return step_of(FlowStepKind::Follows, entry);
    if (e.state == FlowState::Blocked) {
      if (!syn) return blocked(entry, x, now);
      table_.erase(entry);  // a new connection on the same 5-tuple: judged afresh
      entry = FlowTable::kNone;
    }
  }
  const Protocol protocol =
      ExtractPorts::listed(ports_.tls, p.dst_port) ? Protocol::Tls : Protocol::Http;
  if (entry == FlowTable::kNone) {
    if (syn) {
      entry = table_.insert(key, hash, protocol, now);
      if (entry == FlowTable::kNone) return step_of(FlowStepKind::Packet);
      table_.entry(entry).seq_base = p.tcp_seq + 1;
      if (payload.empty()) {
        mark_gathering(x, protocol);
        return step_of(FlowStepKind::Gathering, entry);
      }
      // Fast Open: the SYN's data is the stream's start; read on below.
    } else if (payload.empty()) {
      return step_of(FlowStepKind::Packet);
    } else if (x.name() != nullptr) {
      return step_of(FlowStepKind::Named);  // whole in one segment: nothing to gather
    } else if (x.status == DecodeStatus::Truncated) {
      // The start of a ClientHello or request, its SYN not seen: gather from here.
      entry = table_.insert(key, hash, protocol, now);
      if (entry == FlowTable::kNone) return step_of(FlowStepKind::Packet);
      table_.entry(entry).seq_base = p.tcp_seq;
    } else {
      return step_of(FlowStepKind::Packet);
    }
  }

  FlowEntry& e = table_.entry(entry);
  e.last_seen = now;
  if (syn && e.seq_base != p.tcp_seq + 1) {
    // A SYN with another initial sequence number: the connection started over.
    e.seq_base = p.tcp_seq + 1;
    table_.release_slot(entry);
    e.packets = 0;
  }
  if ((p.tcp_flags & kRst) != 0) {
    table_.counters().abandoned += 1;
    table_.erase(entry);
    return step_of(FlowStepKind::Packet);
  }
  if (payload.empty()) {
    mark_gathering(x, protocol);
    return step_of(FlowStepKind::Gathering, entry);
  }
  // Where this segment's data starts in the stream (SYN data starts at the SYN's seq + 1).
  const std::uint32_t data_seq = p.tcp_seq + (syn ? 1u : 0u);
  std::int64_t offset = static_cast<std::int32_t>(data_seq - e.seq_base);
  std::span<const std::uint8_t> piece = payload;
  if (offset < 0) {
    if (static_cast<std::uint64_t>(-offset) >= piece.size()) {
      // All of it lies before the stream's start: an old retransmission.
      mark_gathering(x, protocol);
      return step_of(FlowStepKind::Gathering, entry);
    }
    piece = piece.subspan(static_cast<std::size_t>(-offset));
    offset = 0;
  }
  if (e.gather == FlowTable::kNone && offset == 0 && x.name() != nullptr && e.packets == 0) {
    // The first data segment holds the name: nothing to copy.
    e.state = FlowState::Deciding;
    return step_of(FlowStepKind::Named, entry);
  }
  GatherSlot* slot = table_.attach(entry);
  if (slot == nullptr) {
    table_.erase(entry);
    return step_of(FlowStepKind::Packet);
  }
  const GatherResult added =
      slot->stream.add(static_cast<std::uint64_t>(offset), piece, config_.overlap);
  table_.counters().overlap_conflicts += added.conflicts;
  if (added.added != 0) e.packets += 1;
  FlowStep result = evaluate(entry, x);
  if (result.kind == FlowStepKind::Gathering && (p.tcp_flags & kFin) != 0) {
    // The client closed before the name was complete.
    table_.counters().abandoned += 1;
    table_.erase(entry);
    return step_of(FlowStepKind::Packet);
  }
  return result;
}

FlowStep FlowTracker::evaluate(std::uint32_t entry, Extraction& x) {
  FlowEntry& e = table_.entry(entry);
  GatherSlot& slot = table_.slot(e.gather);
  const auto prefix = slot.stream.prefix();
  if (prefix.empty()) {
    mark_gathering(x, e.protocol);
    return step_of(FlowStepKind::Gathering, entry);
  }
  DecodeStatus status = DecodeStatus::NotApplicable;
  std::string_view reason;
  bool named = false;
  switch (e.protocol) {
    case Protocol::Tls:
    case Protocol::Quic: {
      // TCP carries TLS records; QUIC's CRYPTO stream carries the handshake message bare.
      const TlsResult r =
          e.protocol == Protocol::Tls
              ? parse_client_hello_records(prefix, {join_scratch_.get(), join_size_}, x.tls)
              : parse_client_hello_message(prefix, x.tls);
      status = r.status;
      reason = to_string(r.reason);
      named = x.tls.has_name;
      break;
    }
    case Protocol::Http: {
      const HttpResult r = parse_http_request(prefix, x.http);
      status = r.status;
      reason = to_string(r.reason);
      named = r.status == DecodeStatus::Ok;
      break;
    }
    case Protocol::Dns:
    case Protocol::None:
      break;
  }
  x.protocol = e.protocol;
  x.reassembled = e.packets > 1;
  x.packets = e.packets;
  if (named) {
    x.status = status;
    x.reason = reason;
    e.state = FlowState::Deciding;
    return step_of(FlowStepKind::Named, entry);
  }
  if (status == DecodeStatus::Truncated && !slot.stream.full()) {
    mark_gathering(x, e.protocol);
    return step_of(FlowStepKind::Gathering, entry);
  }
  // Not a ClientHello or request after all, malformed, or past the window without a name.
  if (status == DecodeStatus::Truncated) reason = "reassembly_window_full";
  x.status = status;
  x.reason = reason;
  table_.counters().abandoned += e.packets > 1;
  table_.erase(entry);
  return step_of(FlowStepKind::Packet);
}

void FlowTracker::settle(std::span<const std::uint8_t> frame, const FlowStep& step,
                         const Extraction& x, const Verdict& verdict, std::uint8_t action,
                         std::uint64_t now) {
  if (step.kind != FlowStepKind::Named) return;
  if (x.reassembled) table_.counters().reassembled += 1;
  std::uint32_t entry = step.entry;
  if (verdict.decision != Decision::Block) {
    if (entry == FlowTable::kNone) return;
    if (x.protocol != Protocol::Quic) {
      table_.erase(entry);
      return;
    }
    // The rest of the handshake's Initials (ACKs, retransmissions) pass without decryption and
    // without waiting for a name, until the flow has been quiet for reassembly_timeout.
    table_.release_slot(entry);
    table_.entry(entry).state = FlowState::Passed;
    table_.entry(entry).last_seen = now;
    return;
  }
  if (entry == FlowTable::kNone) {
    const FlowKey key = FlowKey::of(frame, x.packet);
    const std::uint64_t hash = FlowTable::hash(key);
    entry = table_.find(key, hash, now);
    if (entry == FlowTable::kNone) entry = table_.insert(key, hash, x.protocol, now);
    if (entry == FlowTable::kNone) return;
  }
  FlowEntry& e = table_.entry(entry);
  table_.release_slot(entry);
  e.state = FlowState::Blocked;
  e.protocol = x.protocol;
  e.verdict = verdict;
  e.action = action;
  e.last_seen = now;
}

FlowStep FlowTracker::resolve(std::span<const std::uint8_t> frame, Extraction& x,
                              std::uint64_t now) {
  const FlowKey key = FlowKey::of(frame, x.packet);
  const std::uint32_t entry = table_.find(key, FlowTable::hash(key), now);
  if (entry != FlowTable::kNone && table_.entry(entry).state == FlowState::Blocked)
    return blocked(entry, x, now);
  return step_of(FlowStepKind::Packet);
}

bool FlowTracker::take_decrypt_budget(std::uint64_t now) {
  if (decrypt_cost_ == 0) return true;
  if (decrypt_tat_ < now) decrypt_tat_ = now;
  if (decrypt_tat_ - now > decrypt_tolerance_) return false;
  decrypt_tat_ += decrypt_cost_;
  return true;
}

FlowStep FlowTracker::quic(std::span<const std::uint8_t> frame, Extraction& x, std::uint64_t now,
                          bool tracked) {
  const DecodedPacket& p = x.packet;
  const auto datagram = payload_of(frame, p);
  const FlowKey key = FlowKey::of(frame, p);
  const std::uint64_t hash = FlowTable::hash(key);
  std::uint32_t entry = tracked ? table_.find(key, hash, now) : FlowTable::kNone;
  if (entry != FlowTable::kNone) {
    const FlowState state = table_.entry(entry).state;
    if (state == FlowState::Deciding) return step_of(FlowStepKind::Follows, entry);
    if (state == FlowState::Blocked) {
      // A client Initial with another DCID is a new connection that reuses the 5-tuple (a NAT,
      // or a client port reused): judged afresh. Retransmissions keep the DCID: the server of a
      // blocked flow never answered, so the client never changed it.
      QuicLongHeader header;
      const bool new_connection =
          !datagram.empty() && (datagram[0] & 0x80) != 0 &&
          parse_long_header(datagram, header).status == DecodeStatus::Ok &&
          header.type == QuicPacketType::Initial &&
          dcid_tag(header.dcid) != table_.entry(entry).seq_base;
      if (!new_connection) return blocked(entry, x, now);
      table_.erase(entry);
      entry = FlowTable::kNone;
    } else if (state == FlowState::Passed) {
      // The client's first 1-RTT (short-header) packet ends its handshake: it dropped its Initial
      // keys when it sent its first Handshake packet (RFC 9001 section 4.9.1), so no Initial of
      // this connection follows. The entry goes, and the connection's data is no longer looked up
      // (each packet would have kept it alive and paid for the lookup).
      if (!datagram.empty() && (datagram[0] & 0x80) == 0) {
        table_.erase(entry);
        return step_of(FlowStepKind::Packet);
      }
      table_.entry(entry).last_seen = now;
      return step_of(FlowStepKind::Packet);
    }
  }
  // Only a long header can start an Initial; short-header packets of other flows stop here.
  if (datagram.empty() || (datagram[0] & 0x80) == 0) return step_of(FlowStepKind::Packet);
  x.protocol = Protocol::Quic;
  QuicLongHeader header;
  const QuicResult first = parse_long_header(datagram, header);
  if (first.status != DecodeStatus::Ok || header.type != QuicPacketType::Initial) {
    x.status = first.status == DecodeStatus::Ok ? DecodeStatus::NotApplicable : first.status;
    x.reason = first.status == DecodeStatus::Ok ? to_string(QuicReason::NotInitial)
                                                 : to_string(first.reason);
    return step_of(FlowStepKind::Packet);
  }
  if (datagram.size() < kMinInitialDatagram || datagram.size() > kMaxDatagram) {
    x.status = DecodeStatus::NotApplicable;
    x.reason = to_string(QuicReason::TooSmall);
    return step_of(FlowStepKind::Packet);
  }
  if (!take_decrypt_budget(now)) {
    table_.counters().quic_over_budget += 1;
    x.status = DecodeStatus::NotApplicable;
    x.reason = to_string(QuicReason::OverBudget);
    return step_of(config_.quic_over_budget == OverBudgetPolicy::Drop ? FlowStepKind::OverBudget
                                                                       : FlowStepKind::Packet);
  }
  if (!read_initials(datagram, key, hash, entry, x, now)) {
    table_.counters().quic_failed += 1;
    if (entry != FlowTable::kNone) {
      mark_gathering(x, Protocol::Quic);  // one bad packet does not end a flow being gathered
      return step_of(FlowStepKind::Gathering, entry);
    }
    x.status = DecodeStatus::Malformed;
    x.reason = to_string(QuicReason::DecryptFailed);
    return step_of(FlowStepKind::Packet);
  }
  table_.entry(entry).last_seen = now;
  return evaluate(entry, x);
}

bool FlowTracker::read_initials(std::span<const std::uint8_t> datagram, const FlowKey& key,
                                std::uint64_t hash, std::uint32_t& entry, Extraction& x,
                                std::uint64_t now) {
  std::uint8_t* scratch = quic_scratch_.get();
  std::memcpy(scratch, datagram.data(), datagram.size());
  bool any = false;
  bool contributed = false;
  std::size_t at = 0;
  while (at < datagram.size()) {
    QuicLongHeader header;
    const std::span<const std::uint8_t> rest{scratch + at, datagram.size() - at};
    if (parse_long_header(rest, header).status != DecodeStatus::Ok) break;
    if (header.type == QuicPacketType::Retry) break;
    if (header.type != QuicPacketType::Initial) {
      at += header.size;  // 0-RTT or Handshake coalesced after the Initial
      continue;
    }
    // Keys: the flow's (its first DCID's), then this packet's own DCID.
    QuicKeys own;
    const QuicKeys* keys = nullptr;
    GatherSlot* slot = nullptr;
    if (entry != FlowTable::kNone && table_.entry(entry).gather != FlowTable::kNone) {
      slot = &table_.slot(table_.entry(entry).gather);
      if (slot->quic.keyed && slot->quic.version == header.version) keys = &slot->quic.keys;
    }
    QuicOpened opened;
    bool ok = false;
    if (keys != nullptr) {
      ok = crypto_->open(*keys, scratch + at, header.size, header.pn_offset, opened);
      if (!ok) std::memcpy(scratch + at, datagram.data() + at, header.size);  // undo the unmasking
    }
    bool own_keys = false;
    if (!ok && crypto_->derive(header.version, header.dcid, own)) {
      // header.dcid points into scratch, which open() leaves alone before the packet number.
      ok = crypto_->open(own, scratch + at, header.size, header.pn_offset, opened);
      own_keys = ok;
    }
    if (!ok) {
      at += header.size;
      continue;
    }
    any = true;
    table_.counters().quic_decrypted += 1;
    if (entry == FlowTable::kNone) {
      entry = table_.insert(key, hash, Protocol::Quic, now);
      if (entry == FlowTable::kNone) return false;
    }
    slot = table_.attach(entry);
    if (slot == nullptr) {
      table_.erase(entry);
      entry = FlowTable::kNone;
      return false;
    }
    if (own_keys && !slot->quic.keyed) {
      slot->quic.keys = own;
      slot->quic.version = header.version;
      slot->quic.keyed = true;
      table_.entry(entry).seq_base = dcid_tag(header.dcid);
    }
    std::uint32_t conflicts = 0;
    bool added = false;
    const QuicResult frames = read_initial_frames(
        {scratch + at + opened.payload_offset, opened.payload_length},
        [&](std::uint64_t offset, std::span<const std::uint8_t> data) {
          const GatherResult r = slot->stream.add(offset, data, config_.overlap);
          conflicts += r.conflicts;
          added = added || r.added != 0;
        });
    table_.counters().overlap_conflicts += conflicts;
    if (frames.status != DecodeStatus::Ok) {
      x.reason = to_string(frames.reason);
    }
    contributed = contributed || added;
    at += header.size;
  }
  if (contributed) table_.entry(entry).packets += 1;
  return any;
}

void FlowTracker::quic_from_server(std::span<const std::uint8_t> frame, const Extraction& x,
                                   std::uint64_t now) {
  QuicLongHeader header;
  if (parse_long_header(payload_of(frame, x.packet), header).status != DecodeStatus::Ok ||
      header.type != QuicPacketType::Retry) {
    return;
  }
  // A Retry: the client's next Initial carries a new DCID whose keys protect it, and sends its
  // ClientHello again from offset 0.
  const FlowKey key = FlowKey::of(frame, x.packet, /*reverse=*/true);
  const std::uint32_t entry = table_.find(key, FlowTable::hash(key), now);
  if (entry == FlowTable::kNone) return;
  FlowEntry& e = table_.entry(entry);
  if (e.state != FlowState::Gathering || e.gather == FlowTable::kNone) return;
  GatherSlot& slot = table_.slot(e.gather);
  slot.quic.keyed = false;
  slot.stream.clear();
  e.packets = 0;
}

}  // namespace takedown::filters
