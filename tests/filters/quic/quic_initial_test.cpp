// QUIC Initials: the RFC 9001 and RFC 9369 Appendix A vectors (keys, then the client's protected
// Initial, whose SNI is example.com), the test builder checked against them, and then FlowTracker
// on Initials as browsers send them: a ClientHello over two Initials, CRYPTO frames out of order
// among PING, PADDING and ACK, coalesced packets, a DCID change, a Retry, junk, the budget.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "filters/flow/flow_tracker.hpp"
#include "filters/quic/quic_crypto.hpp"
#include "filters/quic/quic_packet.hpp"
#include "filters/tls/client_hello.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/quic_builder.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::filters {
namespace {

namespace f = testing::frames;
namespace q = testing::quic;
using f::Bytes;
using f::operator+;

Bytes vector_file(const std::string& name) {
  std::ifstream in(testing::source_path("tests/data/quic/" + name));
  std::string line;
  std::string hex;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') hex += line;
  }
  return f::from_hex(hex);
}

// The CRYPTO frame of RFC 9001 A.2 (and RFC 9369 A.2): the ClientHello for example.com.
const char* kRfcCryptoFrame =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c000004"
    "13011302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d00170018"
    "0010000700050461"
    "6c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559fedba753de171fa71f50f1c"
    "e15d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00020101001c0002"
    "4001003900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f0"
    "3e51570806048000ffff";

std::string hex(const std::uint8_t* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

TEST(QuicCrypto, Rfc9001AndRfc9369InitialKeys) {
  auto crypto = QuicCrypto::create();
  ASSERT_TRUE(crypto) << crypto.error();
  const Bytes dcid = f::from_hex("8394c8f03e515708");
  QuicKeys k;
  ASSERT_TRUE(crypto.value()->derive(QuicCrypto::kVersion1, dcid, k));
  EXPECT_EQ(hex(k.key, 16), "1f369613dd76d5467730efcbe3b1a22d");
  EXPECT_EQ(hex(k.iv, 12), "fa044b2f42a3fd3b46fb255c");
  EXPECT_EQ(hex(k.hp, 16), "9f50449e04a0e810283a1e9933adedd2");
  ASSERT_TRUE(crypto.value()->derive(QuicCrypto::kVersion2, dcid, k));
  EXPECT_EQ(hex(k.key, 16), "8b1a0bc121284290a29e0971b5cd045d");
  EXPECT_EQ(hex(k.iv, 12), "91f73e2351d8fa91660e909f");
  EXPECT_EQ(hex(k.hp, 16), "45b95e15235d6f45a6b19cbcb0294ba9");
  EXPECT_FALSE(crypto.value()->derive(0xff00001d, dcid, k));  // a draft version: not ours
}

void expect_rfc_packet_opens(const std::string& file, std::uint32_t version) {
  Bytes packet = vector_file(file);
  ASSERT_EQ(packet.size(), 1200u);
  QuicLongHeader header;
  ASSERT_EQ(parse_long_header(packet, header).status, DecodeStatus::Ok);
  EXPECT_EQ(header.version, version);
  EXPECT_EQ(header.type, QuicPacketType::Initial);
  EXPECT_EQ(hex(header.dcid.data(), header.dcid.size()), "8394c8f03e515708");
  EXPECT_EQ(header.size, 1200u);
  auto crypto = QuicCrypto::create();
  QuicKeys keys;
  ASSERT_TRUE(crypto.value()->derive(version, header.dcid, keys));
  QuicOpened opened;
  ASSERT_TRUE(crypto.value()->open(keys, packet.data(), packet.size(), header.pn_offset, opened));
  EXPECT_EQ(opened.packet_number, 2u);
  EXPECT_EQ(opened.payload_length, 1162u);
  const Bytes expected = f::from_hex(kRfcCryptoFrame);
  EXPECT_EQ(Bytes(packet.begin() + opened.payload_offset,
                  packet.begin() + opened.payload_offset + expected.size()),
            expected);
  int cryptos = 0;
  ClientHello hello;
  const QuicResult walked = read_initial_frames(
      {packet.data() + opened.payload_offset, opened.payload_length},
      [&](std::uint64_t offset, std::span<const std::uint8_t> data) {
        ++cryptos;
        EXPECT_EQ(offset, 0u);
        EXPECT_EQ(parse_client_hello_message(data, hello).status, DecodeStatus::Ok);
      });
  EXPECT_EQ(walked.status, DecodeStatus::Ok);
  EXPECT_EQ(cryptos, 1);
  EXPECT_EQ(hello.server_name.view(), "example.com");
}

TEST(QuicCrypto, Rfc9001ClientInitialOpens) {
  expect_rfc_packet_opens("rfc9001_a2_client_initial.hex", QuicCrypto::kVersion1);
}

TEST(QuicCrypto, Rfc9369ClientInitialOpens) {
  expect_rfc_packet_opens("rfc9369_a2_client_initial.hex", QuicCrypto::kVersion2);
}

TEST(QuicCrypto, ATamperedPacketDoesNotOpen) {
  Bytes packet = vector_file("rfc9001_a2_client_initial.hex");
  packet[600] ^= 1;
  QuicLongHeader header;
  ASSERT_EQ(parse_long_header(packet, header).status, DecodeStatus::Ok);
  auto crypto = QuicCrypto::create();
  QuicKeys keys;
  ASSERT_TRUE(crypto.value()->derive(QuicCrypto::kVersion1, header.dcid, keys));
  QuicOpened opened;
  EXPECT_FALSE(crypto.value()->open(keys, packet.data(), packet.size(), header.pn_offset, opened));
}

// The builder the other tests use seals the RFC's plaintext into the RFC's exact bytes.
TEST(QuicBuilder, ReproducesTheRfcPackets) {
  for (auto [file, version] : {std::pair{"rfc9001_a2_client_initial.hex", QuicCrypto::kVersion1},
                               std::pair{"rfc9369_a2_client_initial.hex", QuicCrypto::kVersion2}}) {
    q::Initial in;
    in.version = version;
    in.frames = f::from_hex(kRfcCryptoFrame);
    EXPECT_EQ(q::seal(in), vector_file(file)) << file;
  }
}

struct Harness {
  explicit Harness(FlowConfig config = {}) {
    auto t = FlowTracker::create(config, ports, 1000000);
    if (!t) throw std::runtime_error(t.error());
    tracker = std::move(t.value());
  }
  FlowStep datagram(const Bytes& udp_payload, bool from_server = false) {
    last = f::ethernet(0x0800) +
           f::ipv4(17, from_server ? f::udp(443, sport, udp_payload) : f::udp(sport, 443, udp_payload));
    extract_name(last, ports, x);
    FlowStep s = tracker->step(last, x, now);
    if (s.kind == FlowStepKind::Named) named = std::string(x.name()->view());
    return s;
  }
  void decide(const FlowStep& s, Decision decision) {
    Verdict v;
    v.decision = decision;
    tracker->settle(last, s, x, v, 3, now);
  }
  ExtractPorts ports;
  std::unique_ptr<FlowTracker> tracker;
  Extraction x;
  Bytes last;
  std::string named;
  std::uint64_t now = 5000;
  std::uint16_t sport = 50000;
};

TEST(FlowTrackerQuic, TheRfcInitialNamesExampleCom) {
  for (const char* file : {"rfc9001_a2_client_initial.hex", "rfc9369_a2_client_initial.hex"}) {
    Harness h;
    const FlowStep s = h.datagram(vector_file(file));
    ASSERT_EQ(s.kind, FlowStepKind::Named) << file << ": " << h.x.reason;
    EXPECT_EQ(h.named, "example.com");
    EXPECT_EQ(h.x.protocol, Protocol::Quic);
    EXPECT_FALSE(h.x.reassembled);
    EXPECT_EQ(h.tracker->counters().quic_decrypted, 1u);
  }
}

// A post-quantum ClientHello (~1.4 KB) does not fit one Initial: Chrome sends a first CRYPTO
// frame, then the rest in smaller frames among PING and PADDING, in any order.
Bytes pq_message(const std::string& name = "blocked.example") {
  return f::handshake_of(
      f::client_hello({f::grease(0x1A1A), f::key_share(), f::sni(name), f::alpn()}));
}

Bytes ack_frame() { return {0x02, 0x00, 0x00, 0x00, 0x00}; }  // largest 0, delay 0, 0 ranges, first 0

TEST(FlowTrackerQuic, AClientHelloOverTwoInitialsWithFramesOutOfOrder) {
  for (std::uint32_t version : {QuicCrypto::kVersion1, QuicCrypto::kVersion2}) {
    Harness h;
    const Bytes message = pq_message();
    ASSERT_GT(message.size(), 1300u);
    q::Initial first;
    first.version = version;
    first.packet_number = 0;
    // Packet 0: the tail first, then PING, the middle; the head comes in packet 1.
    first.frames = q::crypto_frame(900, f::slice(message, 900, message.size())) + Bytes{0x01} +
                   Bytes(3, 0x00) + q::crypto_frame(400, f::slice(message, 400, 900));
    q::Initial second = first;
    second.packet_number = 1;
    second.frames = ack_frame() + Bytes{0x01} + q::crypto_frame(0, f::slice(message, 0, 400));
    EXPECT_EQ(h.datagram(q::seal(first)).kind, FlowStepKind::Gathering) << h.x.reason;
    const FlowStep s = h.datagram(q::seal(second));
    ASSERT_EQ(s.kind, FlowStepKind::Named) << h.x.reason;
    EXPECT_EQ(h.named, "blocked.example");
    EXPECT_TRUE(h.x.reassembled);
    EXPECT_EQ(h.x.packets, 2);
    EXPECT_EQ(h.tracker->counters().quic_decrypted, 2u);
  }
}

// After the server's Initial the client's DCID changes, but its Initial keys stay those of its
// first DCID (ntop/nDPI#2278).
TEST(FlowTrackerQuic, ADcidChangeKeepsTheFirstDcidsKeys) {
  Harness h;
  const Bytes message = pq_message();
  q::Initial first;
  first.frames = q::crypto_frame(0, f::slice(message, 0, 1000));
  q::Initial second;
  second.packet_number = 3;
  second.dcid = f::from_hex("5e5e5e5e5e5e5e5e");  // the server's SCID
  second.key_dcid = first.dcid;
  second.frames = q::crypto_frame(1000, f::slice(message, 1000, message.size()));
  EXPECT_EQ(h.datagram(q::seal(first)).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.datagram(q::seal(second)).kind, FlowStepKind::Named) << h.x.reason;
  EXPECT_EQ(h.named, "blocked.example");
}

Bytes retry_packet(const Bytes& new_scid) {
  Bytes b = {0xf0};  // long header, v1 Retry
  f::put32(b, QuicCrypto::kVersion1);
  b.push_back(8);
  f::append(b, f::from_hex("0102030405060708"));  // the client's SCID
  b.push_back(static_cast<std::uint8_t>(new_scid.size()));
  f::append(b, new_scid);
  f::append(b, Bytes(24, 0x77));  // token
  f::append(b, Bytes(16, 0x99));  // integrity tag
  return b;
}

// A Retry: the client starts again with the server's new connection ID, whose keys now protect
// its Initials, and its ClientHello from offset 0.
TEST(FlowTrackerQuic, ARetryStartsTheKeysAndTheStreamOver) {
  Harness h;
  const Bytes message = pq_message();
  q::Initial first;
  first.frames = q::crypto_frame(0, f::slice(message, 0, 1000));
  EXPECT_EQ(h.datagram(q::seal(first)).kind, FlowStepKind::Gathering);
  const Bytes new_dcid = f::from_hex("abcdefabcdefabcdef01");
  EXPECT_EQ(h.datagram(retry_packet(new_dcid), /*from_server=*/true).kind, FlowStepKind::Packet);
  q::Initial again;
  again.dcid = new_dcid;
  again.token = Bytes(24, 0x77);
  again.packet_number = 1;
  again.frames = q::crypto_frame(0, f::slice(message, 0, 1000));
  EXPECT_EQ(h.datagram(q::seal(again)).kind, FlowStepKind::Gathering) << h.x.reason;
  again.packet_number = 2;
  again.frames = q::crypto_frame(1000, f::slice(message, 1000, message.size()));
  EXPECT_EQ(h.datagram(q::seal(again)).kind, FlowStepKind::Named) << h.x.reason;
  EXPECT_EQ(h.tracker->counters().quic_failed, 0u);
}

TEST(FlowTrackerQuic, CoalescedPacketsAfterTheInitialAreWalkedPast) {
  Harness h;
  q::Initial in;
  in.frames = q::crypto_frame(0, f::handshake_of(f::client_hello({f::sni("coalesced.example")})));
  in.pad_to = 600;
  Bytes datagram = q::seal(in);
  // A Handshake packet (type 2) coalesced after it: its payload cannot be read, and need not be.
  Bytes handshake = {0xe0};
  f::put32(handshake, QuicCrypto::kVersion1);
  handshake.push_back(8);
  f::append(handshake, in.dcid);
  handshake.push_back(0);
  handshake.push_back(0x42);
  handshake.push_back(0x58);  // length 600
  f::append(handshake, Bytes(600, 0x5a));
  f::append(datagram, handshake);
  ASSERT_GE(datagram.size(), 1200u);
  EXPECT_EQ(h.datagram(datagram).kind, FlowStepKind::Named) << h.x.reason;
  EXPECT_EQ(h.named, "coalesced.example");
}

TEST(FlowTrackerQuic, ABlockedFlowsLaterPacketsGetItsVerdict) {
  Harness h;
  const FlowStep s = h.datagram(vector_file("rfc9001_a2_client_initial.hex"));
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  h.decide(s, Decision::Block);
  EXPECT_EQ(h.datagram(vector_file("rfc9001_a2_client_initial.hex")).kind, FlowStepKind::Blocked);
  EXPECT_EQ(h.datagram(Bytes(50, 0x41)).kind, FlowStepKind::Blocked);  // a short-header packet
  EXPECT_EQ(h.x.protocol, Protocol::Quic);
  EXPECT_EQ(h.tracker->counters().quic_decrypted, 1u);  // no new inspection
}

// A passed flow's later Initials (ACKs, retransmissions of the ClientHello) go on as they are:
// not decrypted again, and not gathered (the data plane would hold them) until the flow has been
// quiet for reassembly_timeout.
TEST(FlowTrackerQuic, APassedFlowsLaterInitialsGoOnWithoutDecryption) {
  FlowConfig config;
  config.reassembly_timeout_ms = 100;
  Harness h(config);
  const FlowStep s = h.datagram(vector_file("rfc9001_a2_client_initial.hex"));
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  h.decide(s, Decision::Pass);
  for (int i = 0; i < 3; ++i) {
    h.now += 90000;  // 90 ms apart: each one keeps the flow alive
    EXPECT_EQ(h.datagram(vector_file("rfc9001_a2_client_initial.hex")).kind, FlowStepKind::Packet);
  }
  EXPECT_EQ(h.tracker->counters().quic_decrypted, 1u);
  EXPECT_EQ(h.tracker->counters().active, 1u);
  h.now += 200000;  // quiet past the timeout: the next Initial is a new flow's, inspected
  h.tracker->expire(h.now);
  EXPECT_EQ(h.datagram(vector_file("rfc9001_a2_client_initial.hex")).kind, FlowStepKind::Named);
  EXPECT_EQ(h.tracker->counters().quic_decrypted, 2u);
}

// A passed flow's entry lasts until the client's first 1-RTT packet: after it no Initial of the
// connection follows, and its data is not looked up in the table for the rest of its life.
TEST(FlowTrackerQuic, APassedFlowIsForgottenAtItsFirstShortHeaderPacket) {
  Harness h;
  const FlowStep s = h.datagram(vector_file("rfc9001_a2_client_initial.hex"));
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  h.decide(s, Decision::Pass);
  EXPECT_EQ(h.datagram(vector_file("rfc9001_a2_client_initial.hex")).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.tracker->counters().active, 1u);  // its Initials still pass without decryption
  EXPECT_EQ(h.tracker->counters().quic_decrypted, 1u);
  EXPECT_EQ(h.datagram(Bytes(1200, 0x41)).kind, FlowStepKind::Packet);  // a short header
  EXPECT_EQ(h.tracker->counters().active, 0u);
  EXPECT_EQ(h.datagram(Bytes(1200, 0x41)).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.tracker->counters().created, 1u);
  // A late copy of an Initial is inspected again, as a new connection's would be.
  EXPECT_EQ(h.datagram(vector_file("rfc9001_a2_client_initial.hex")).kind, FlowStepKind::Named);
  EXPECT_EQ(h.tracker->counters().quic_decrypted, 2u);
}

// A blocked flow's 5-tuple reused by a new connection (a NAT, or a client port reused; seen in
// browser_test: Chromium's visit to an allowed name on the port of a blocked visit): an Initial
// with another DCID is judged afresh, while the blocked connection's own keep their verdict.
TEST(FlowTrackerQuic, ANewConnectionOnABlockedFlowsFiveTupleIsJudgedAfresh) {
  Harness h;
  q::Initial blocked;
  blocked.frames = q::crypto_frame(0, f::handshake_of(f::client_hello({f::sni("blocked.example")})));
  const FlowStep s = h.datagram(q::seal(blocked));
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  h.decide(s, Decision::Block);
  blocked.packet_number = 3;  // its retransmission
  EXPECT_EQ(h.datagram(q::seal(blocked)).kind, FlowStepKind::Blocked);
  q::Initial next;
  next.dcid = f::from_hex("0123456789abcdef");
  next.frames = q::crypto_frame(0, f::handshake_of(f::client_hello({f::sni("allowed.example")})));
  EXPECT_EQ(h.datagram(q::seal(next)).kind, FlowStepKind::Named) << h.x.reason;
  EXPECT_EQ(h.named, "allowed.example");
}

TEST(FlowTrackerQuic, JunkInitialsFailAndLeaveNothingBehind) {
  Harness h;
  for (int i = 0; i < 100; ++i) {
    Bytes junk = vector_file("rfc9001_a2_client_initial.hex");
    junk[100 + i] ^= 0x55;
    h.sport = static_cast<std::uint16_t>(20000 + i);
    EXPECT_EQ(h.datagram(junk).kind, FlowStepKind::Packet);
    EXPECT_EQ(h.x.status, DecodeStatus::Malformed);
    EXPECT_EQ(h.x.reason, "quic_decrypt_failed");
  }
  EXPECT_EQ(h.tracker->counters().quic_failed, 100u);
  EXPECT_EQ(h.tracker->counters().active, 0u);
  EXPECT_EQ(h.tracker->counters().created, 0u);
}

TEST(FlowTrackerQuic, ShortDatagramsAndOtherPacketsAreNotInspected) {
  Harness h;
  q::Initial in;
  in.frames = q::crypto_frame(0, f::handshake_of(f::client_hello({f::sni("small.example")})));
  in.pad_to = 900;  // a client must pad the datagram of its Initial to 1,200 bytes
  EXPECT_EQ(h.datagram(q::seal(in)).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.x.reason, "quic_datagram_too_small");
  EXPECT_EQ(h.datagram(Bytes(1200, 0x40)).kind, FlowStepKind::Packet);  // short header
  EXPECT_EQ(h.tracker->counters().quic_decrypted + h.tracker->counters().quic_failed, 0u);
}

TEST(FlowTrackerQuic, TheDecryptionBudgetBoundsTheWork) {
  for (OverBudgetPolicy policy : {OverBudgetPolicy::Drop, OverBudgetPolicy::Forward}) {
    FlowConfig config;
    config.quic_decrypts_per_second = 100;  // a tenth of a second's worth: 10 at once
    config.quic_over_budget = policy;
    Harness h(config);
    int over = 0;
    for (int i = 0; i < 30; ++i) {
      h.sport = static_cast<std::uint16_t>(30000 + i);
      const FlowStep s = h.datagram(vector_file("rfc9001_a2_client_initial.hex"));
      if (s.kind == FlowStepKind::OverBudget || h.x.reason == "quic_over_budget") {
        ++over;
        EXPECT_EQ(s.kind, policy == OverBudgetPolicy::Drop ? FlowStepKind::OverBudget
                                                           : FlowStepKind::Packet);
      } else {
        h.decide(s, Decision::Pass);
      }
    }
    EXPECT_EQ(over, 19) << to_string(policy);
    EXPECT_EQ(h.tracker->counters().quic_over_budget, 19u);
    h.now += 1000000;  // a second later the budget is back
    h.sport = 31000;
    EXPECT_EQ(h.datagram(vector_file("rfc9001_a2_client_initial.hex")).kind, FlowStepKind::Named);
  }
}

}  // namespace
}  // namespace takedown::filters
