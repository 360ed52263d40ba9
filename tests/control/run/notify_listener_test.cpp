// NOTIFY: accepted only for a transfer list's zone, from its primary, and signed when it has a key;
// the answers built by ldns are read back here with ldns, as a primary would read them.
#include "control/run/notify_listener.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "control/sources/ldns_handles.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::control {
namespace {

constexpr const char* kSecret = "iRVVnxf8LAFR5KHt/kcGoY/BBo8q3KKOGag4CqNEdZY=";

using Pkt = LdnsPkt;

class Notify : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string key = dir_.write("xfr.key", std::string(kSecret) + "\n");
    auto config = schema::parse_config(
        "lists:\n"
        "  - {name: signed, format: rpz, transfer: {primary: 192.0.2.53, zone: rpz.example,\n"
        "     tsig: {name: xfr-key, secret_file: " +
            key +
            "}}}\n"
            "  - {name: open, format: rpz, transfer: {primary: '2001:db8::53', zone: "
            "open.example}}\n",
        dir_.file("t.yaml"));
    ASSERT_TRUE(config) << config.error();
    config_ = *config;
  }

  // A NOTIFY for `zone` (SOA question), TSIG-signed with `secret` when it is not empty.
  static std::vector<std::uint8_t> notify(const char* zone, const char* secret = "",
                                          ldns_rr_type type = LDNS_RR_TYPE_SOA,
                                          const char* algorithm = "hmac-sha256.") {
    Pkt p(ldns_pkt_query_new(ldns_dname_new_frm_str(zone), type, LDNS_RR_CLASS_IN, LDNS_AA));
    ldns_pkt_set_opcode(p.get(), LDNS_PACKET_NOTIFY);
    ldns_pkt_set_id(p.get(), 0x1234);
    if (secret[0] != 0) {
      EXPECT_EQ(ldns_pkt_tsig_sign(p.get(), "xfr-key.", secret, 300, algorithm, nullptr),
                LDNS_STATUS_OK);
    }
    std::vector<std::uint8_t> out = wire_of(p.get());
    EXPECT_FALSE(out.empty());
    return out;
  }

  NotifyEvent handle(const std::vector<std::uint8_t>& wire, const std::string& sender,
                     std::vector<std::uint8_t>& reply) {
    return handle_notify(config_, wire.data(), wire.size(), sender, reply);
  }

  static Pkt decode(const std::vector<std::uint8_t>& reply) {
    ldns_pkt* p = nullptr;
    EXPECT_EQ(ldns_wire2pkt(&p, reply.data(), reply.size()), LDNS_STATUS_OK);
    return Pkt(p);
  }

  testing::TempDir dir_;
  schema::Config config_;
};

TEST_F(Notify, SignedFromThePrimaryIsAcceptedAndTheAnswerVerifies) {
  const auto query = notify("RPZ.example.", kSecret);
  std::vector<std::uint8_t> reply;
  const NotifyEvent e = handle(query, "192.0.2.53", reply);
  EXPECT_TRUE(e.accepted) << e.log;
  EXPECT_EQ(e.zone, "rpz.example");
  EXPECT_EQ(e.primary, "192.0.2.53");
  EXPECT_EQ(e.log, "NOTIFY for rpz.example from 192.0.2.53 (TSIG xfr-key): accepted, transferring");
  Pkt answer = decode(reply);
  EXPECT_EQ(ldns_pkt_id(answer.get()), 0x1234);
  EXPECT_TRUE(ldns_pkt_qr(answer.get()));
  EXPECT_EQ(ldns_pkt_get_opcode(answer.get()), LDNS_PACKET_NOTIFY);
  EXPECT_EQ(ldns_pkt_get_rcode(answer.get()), LDNS_RCODE_NOERROR);
  // The primary checks our TSIG against the MAC of its own NOTIFY.
  ldns_pkt* q = nullptr;
  ASSERT_EQ(ldns_wire2pkt(&q, query.data(), query.size()), LDNS_STATUS_OK);
  Pkt parsed_query(q);
  ASSERT_NE(ldns_pkt_tsig(answer.get()), nullptr);
  EXPECT_TRUE(ldns_pkt_tsig_verify(answer.get(), reply.data(), reply.size(), "xfr-key.", kSecret,
                                   ldns_rr_rdf(ldns_pkt_tsig(parsed_query.get()), 3)));
}

TEST_F(Notify, UnsignedForAZoneWithoutAKeyFromItsPrimary) {
  std::vector<std::uint8_t> reply;
  // The same address, spelled another way.
  const NotifyEvent e = handle(notify("open.example."), "2001:db8:0:0::53", reply);
  EXPECT_TRUE(e.accepted) << e.log;
  EXPECT_EQ(e.primary, "2001:db8::53");
  EXPECT_EQ(ldns_pkt_get_rcode(decode(reply).get()), LDNS_RCODE_NOERROR);
}

TEST_F(Notify, RefusedWithTheReason) {
  struct Case {
    std::vector<std::uint8_t> wire;
    const char* sender;
    ldns_pkt_rcode rcode;
    const char* log;
  };
  const Case cases[] = {
      {notify("rpz.example."), "192.0.2.53", LDNS_RCODE_NOTAUTH,
       "NOTIFY for rpz.example from 192.0.2.53 refused (NOTAUTH): not signed with TSIG key "
       "xfr-key"},
      {notify("rpz.example.", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), "192.0.2.53",
       LDNS_RCODE_NOTAUTH,
       "NOTIFY for rpz.example from 192.0.2.53 refused (NOTAUTH): its TSIG does not verify with "
       "key xfr-key"},
      // ldns would verify with whatever algorithm the record names: the key's is required.
      {notify("rpz.example.", kSecret, LDNS_RR_TYPE_SOA, "hmac-sha1."), "192.0.2.53",
       LDNS_RCODE_NOTAUTH,
       "NOTIFY for rpz.example from 192.0.2.53 refused (NOTAUTH): signed with another key or "
       "algorithm than TSIG key xfr-key (hmac-sha256)"},
      {notify("rpz.example.", kSecret), "192.0.2.54", LDNS_RCODE_REFUSED,
       "NOTIFY for rpz.example from 192.0.2.54 refused (REFUSED): not from the zone's primary"},
      {notify("other.example."), "192.0.2.53", LDNS_RCODE_REFUSED,
       "NOTIFY for other.example from 192.0.2.53 refused (REFUSED): no list transfers that zone"},
      {notify("open.example.", "", LDNS_RR_TYPE_A), "2001:db8::53", LDNS_RCODE_REFUSED,
       "NOTIFY for open.example from 2001:db8::53 refused (REFUSED): the question is not for the "
       "zone's SOA"},
  };
  for (const Case& c : cases) {
    std::vector<std::uint8_t> reply;
    const NotifyEvent e = handle(c.wire, c.sender, reply);
    EXPECT_FALSE(e.accepted);
    EXPECT_EQ(e.log, c.log);
    ASSERT_FALSE(reply.empty()) << c.log;
    EXPECT_EQ(ldns_pkt_get_rcode(decode(reply).get()), c.rcode) << c.log;
  }
}

TEST_F(Notify, WhatIsNotANotifyQueryGetsNoReply) {
  std::vector<std::uint8_t> reply;
  // ldns keeps one TSIG of many and leaks the others: more than an OPT and a TSIG is not parsed.
  auto crowded = notify("rpz.example.", kSecret);
  crowded[11] = 3;
  EXPECT_EQ(handle(crowded, "192.0.2.53", reply).log,
            "from 192.0.2.53: " + std::to_string(crowded.size()) +
                " bytes that are not a DNS message, ignored");
  EXPECT_TRUE(reply.empty());
  const std::vector<std::uint8_t> garbage = {1, 2, 3, 4, 5};
  EXPECT_EQ(handle(garbage, "192.0.2.9", reply).log,
            "from 192.0.2.9: 5 bytes that are not a DNS message, ignored");
  EXPECT_TRUE(reply.empty());
  auto response = notify("rpz.example.", kSecret);
  response[2] |= 0x80;  // QR: a response, which would make us a reflector if answered
  EXPECT_FALSE(handle(response, "192.0.2.53", reply).accepted);
  EXPECT_TRUE(reply.empty());
  auto query = notify("rpz.example.");
  query[2] &= 0x87;  // opcode QUERY
  EXPECT_FALSE(handle(query, "192.0.2.53", reply).accepted);
  EXPECT_TRUE(reply.empty());
}

// The sockets: an IPv4 primary's NOTIFY on a dual-stack listener ([::]:port) is compared as IPv4
// and accepted; over TCP, a sender that is no list's primary is closed unread.
TEST(NotifySockets, DualStackUdpAndTcpFromStrangers) {
  const std::uint16_t port = 15399;  // a port of this test's own (control.notify has no port 0)
  auto opened = NotifyListener::open("[::]:" + std::to_string(port));
  ASSERT_TRUE(opened) << opened.error();
  NotifyListener& listener = **opened;
  auto config = schema::parse_config(
      "lists: [{name: z, format: rpz, transfer: {primary: 127.0.0.1, zone: open.example}}]\n",
      "/t.yaml");
  ASSERT_TRUE(config) << config.error();
  Pkt p(ldns_pkt_query_new(ldns_dname_new_frm_str("open.example."), LDNS_RR_TYPE_SOA,
                           LDNS_RR_CLASS_IN, LDNS_AA));
  ldns_pkt_set_opcode(p.get(), LDNS_PACKET_NOTIFY);
  const std::vector<std::uint8_t> wire = wire_of(p.get());
  const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::sendto(udp, wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(wire.size()));
  std::vector<NotifyEvent> events;
  for (int i = 0; i < 100 && events.empty(); ++i) {
    events = listener.drain(*config);
    if (events.empty()) ::usleep(10000);
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].accepted) << events[0].log;
  EXPECT_EQ(events[0].log, "NOTIFY for open.example from 127.0.0.1: accepted, transferring");
  std::uint8_t answer[512];
  EXPECT_GT(::recv(udp, answer, sizeof answer, 0), 12);
  ::close(udp);

  auto strangers = schema::parse_config(
      "lists: [{name: z, format: rpz, transfer: {primary: 192.0.2.1, zone: open.example}}]\n",
      "/t.yaml");
  ASSERT_TRUE(strangers) << strangers.error();
  const int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(tcp, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  events.clear();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100 && events.empty(); ++i) {
    events = listener.drain(*strangers);
    if (events.empty()) ::usleep(10000);
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].log, "from 127.0.0.1 over TCP: not a transfer list's primary, closed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));  // not read
  std::uint8_t byte;
  EXPECT_EQ(::recv(tcp, &byte, 1, 0), 0);  // closed
  ::close(tcp);
}

}  // namespace
}  // namespace takedown::control
