// A primary's answers to AXFR and IXFR, built with ldns as a primary would send them, taken one
// message at a time: full zones, diffs, up to date, the fallbacks to AXFR, and TSIG on every
// message.
#include "control/sources/transfer_exchange.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "control/sources/ldns_handles.hpp"

namespace takedown::control {
namespace {

constexpr const char* kSecret = "iRVVnxf8LAFR5KHt/kcGoY/BBo8q3KKOGag4CqNEdZY=";

using Pkt = LdnsPkt;

ldns_rr* record(const std::string& text) {
  ldns_rr* rr = nullptr;
  EXPECT_EQ(ldns_rr_new_frm_str(&rr, text.c_str(), 300, nullptr, nullptr), LDNS_STATUS_OK) << text;
  return rr;
}

std::string soa(int serial) {
  return "rpz.test. 300 IN SOA ns.rpz.test. host.rpz.test. " + std::to_string(serial) +
         " 3600 600 86400 300";
}
std::string cname(const std::string& owner, const std::string& target = ".") {
  return owner + ".rpz.test. 300 IN CNAME " + target;
}

ZoneRecords held_at_7() {
  ZoneRecords z("rpz.test");
  for (const std::string& line : {soa(7), cname("bad.example"), cname("*.bad.example", "*.")}) {
    ldns_rr* rr = record(line);
    z.add(rr);
    ldns_rr_free(rr);
  }
  return z;
}

class Primary {
 public:
  explicit Primary(const TransferExchange& exchange, bool sign = false)
      : id_(exchange.query_id()), sign_(sign) {
    ldns_pkt* q = nullptr;
    EXPECT_EQ(ldns_wire2pkt(&q, exchange.query().data(), exchange.query().size()), LDNS_STATUS_OK);
    query_.reset(q);
  }

  // One message answering the query, with these records (and this RCODE).
  std::vector<std::uint8_t> message(const std::vector<std::string>& records,
                                    ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR) {
    Pkt p(ldns_pkt_new());
    ldns_pkt_set_id(p.get(), id_);
    ldns_pkt_set_qr(p.get(), true);
    ldns_pkt_set_aa(p.get(), true);
    ldns_pkt_set_rcode(p.get(), static_cast<std::uint8_t>(rcode));
    ldns_pkt_push_rr(p.get(), LDNS_SECTION_QUESTION,
                     ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(query_.get()), 0)));
    for (const auto& r : records) ldns_pkt_push_rr(p.get(), LDNS_SECTION_ANSWER, record(r));
    if (sign_) {
      const ldns_rdf* mac = first_ ? ldns_rr_rdf(ldns_pkt_tsig(query_.get()), 3) : last_mac_.get();
      EXPECT_EQ(first_ ? ldns_pkt_tsig_sign(p.get(), "xfr-key.", kSecret, 300, "hmac-sha256.", mac)
                       : ldns_pkt_tsig_sign_next(p.get(), "xfr-key.", kSecret, 300, "hmac-sha256.",
                                                 mac, 1),
                LDNS_STATUS_OK);
      last_mac_.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p.get()), 3)));
      first_ = false;
    }
    std::vector<std::uint8_t> out = wire_of(p.get());
    EXPECT_FALSE(out.empty());
    return out;
  }

 private:
  std::uint16_t id_;
  bool sign_;
  bool first_ = true;
  Pkt query_;
  LdnsRdf last_mac_;
};

schema::TransferSource source(bool tsig = false) {
  schema::TransferSource s;
  s.primary = "192.0.2.53";
  s.zone = "rpz.test";
  s.signed_with_tsig = tsig;
  s.tsig.name = "xfr-key";
  return s;
}

using Step = TransferExchange::Step;

Step take(TransferExchange& x, const std::vector<std::uint8_t>& m) {
  return x.take(m.data(), m.size());
}

TEST(TransferExchange, AxfrOverTwoMessages) {
  const auto src = source();
  const std::string secret;
  TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
  Primary primary(x);
  EXPECT_EQ(take(x, primary.message({soa(8), cname("a.example")})), Step::More);
  EXPECT_EQ(take(x, primary.message({cname("b.example", "rpz-drop."), soa(8)})), Step::Done);
  EXPECT_TRUE(x.full());
  EXPECT_EQ(x.result().soa().serial, 8u);
  EXPECT_EQ(x.result().size(), 2u);
  EXPECT_EQ(x.messages(), 2u);
}

TEST(TransferExchange, AnEmptyZoneIsItsSoaTwice) {
  const auto src = source();
  const std::string secret;
  TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
  Primary primary(x);
  EXPECT_EQ(take(x, primary.message({soa(8), soa(8)})), Step::Done);
  EXPECT_TRUE(x.full());
  EXPECT_EQ(x.result().size(), 0u);
  EXPECT_EQ(x.result().soa().serial, 8u);
}

TEST(TransferExchange, IxfrDiffsApplyToTheHeldCopy) {
  const auto src = source();
  const std::string secret;
  TransferExchange x(src, secret, held_at_7(), true);
  Primary primary(x);
  // 7 -> 8: bad.example out, new.example in; 8 -> 9: other.example in (condensed into one message)
  EXPECT_EQ(
      take(x, primary.message({soa(9), soa(7), cname("bad.example"), soa(8), cname("new.example"),
                               soa(8), soa(9), cname("other.example"), soa(9)})),
      Step::Done);
  EXPECT_FALSE(x.full());
  EXPECT_EQ(x.added(), 2u);
  EXPECT_EQ(x.removed(), 1u);
  const std::string file = x.result().zone_file();
  EXPECT_NE(file.find("new.example.rpz.test.\t300\tIN\tCNAME\t."), std::string::npos) << file;
  EXPECT_NE(file.find("*.bad.example.rpz.test."), std::string::npos);
  EXPECT_EQ(file.find("\nbad.example.rpz.test."), std::string::npos);
  EXPECT_EQ(x.result().soa().serial, 9u);
}

TEST(TransferExchange, UpToDateIsOneSoa) {
  const auto src = source();
  const std::string secret;
  TransferExchange x(src, secret, held_at_7(), true);
  Primary primary(x);
  EXPECT_EQ(take(x, primary.message({soa(7)})), Step::UpToDate);
}

TEST(TransferExchange, AFullZoneForAnIxfrReplacesTheCopy) {
  const auto src = source();
  const std::string secret;
  TransferExchange x(src, secret, held_at_7(), true);
  Primary primary(x);
  EXPECT_EQ(take(x, primary.message({soa(9), cname("only.example"), soa(9)})), Step::Done);
  EXPECT_TRUE(x.full());
  EXPECT_EQ(x.result().size(), 1u);
}

TEST(TransferExchange, WhenTheIxfrCannotBeAppliedAnAxfrIsAsked) {
  const auto src = source();
  const std::string secret;
  {  // the primary does not do IXFR
    TransferExchange x(src, secret, held_at_7(), true);
    Primary primary(x);
    EXPECT_EQ(take(x, primary.message({}, LDNS_RCODE_NOTIMPL)), Step::Failed);
    EXPECT_EQ(x.error(), "the primary answered NOTIMPL");
    EXPECT_TRUE(x.retry_with_axfr());
  }
  {  // a diff that deletes what the copy does not hold
    TransferExchange x(src, secret, held_at_7(), true);
    Primary primary(x);
    EXPECT_EQ(
        take(x, primary.message({soa(8), soa(7), cname("never-held.example"), soa(8), soa(8)})),
        Step::Failed);
    EXPECT_EQ(x.error(), "the IXFR deletes a record the copy does not hold");
    EXPECT_TRUE(x.retry_with_axfr());
  }
  {  // diffs from another serial than the copy's
    TransferExchange x(src, secret, held_at_7(), true);
    Primary primary(x);
    EXPECT_EQ(take(x, primary.message({soa(9), soa(5), soa(9), soa(9)})), Step::Failed);
    EXPECT_EQ(x.error(), "the IXFR starts from serial 5, the copy is at 7");
    EXPECT_TRUE(x.retry_with_axfr());
  }
  {  // REFUSED is not a reason to try AXFR
    TransferExchange x(src, secret, held_at_7(), true);
    Primary primary(x);
    EXPECT_EQ(take(x, primary.message({}, LDNS_RCODE_REFUSED)), Step::Failed);
    EXPECT_FALSE(x.retry_with_axfr());
  }
}

TEST(TransferExchange, EveryMessageMustVerifyWithTheKey) {
  const auto src = source(true);
  const std::string secret = kSecret;
  {
    TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
    Primary primary(x, true);
    EXPECT_EQ(take(x, primary.message({soa(8), cname("a.example")})), Step::More);
    EXPECT_EQ(take(x, primary.message({cname("b.example"), soa(8)})), Step::Done) << x.error();
  }
  {
    TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
    Primary signer(x, true);
    Primary unsigned_primary(x, false);
    EXPECT_EQ(take(x, signer.message({soa(8), cname("a.example")})), Step::More);
    EXPECT_EQ(take(x, unsigned_primary.message({cname("b.example"), soa(8)})), Step::Failed);
    EXPECT_EQ(x.error(),
              "message 2: not signed with TSIG key xfr-key (every message must be signed)");
  }
  {
    TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
    Primary primary(x, true);
    auto m = primary.message({soa(8), soa(8)});
    m[m.size() - 30] ^= 1;  // inside the MAC
    EXPECT_EQ(take(x, m), Step::Failed);
    EXPECT_EQ(
        x.error(),
        "message 1: its TSIG does not verify with key xfr-key (every message must be signed)");
  }
}

TEST(TransferExchange, MessagesThatAreNotRepliesToTheQuery) {
  const auto src = source();
  const std::string secret;
  TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
  Primary primary(x);
  auto m = primary.message({soa(8), soa(8)});
  m[0] ^= 0xFF;  // another id
  EXPECT_EQ(take(x, m), Step::Failed);
  EXPECT_EQ(x.error(), "message 1 is not a reply to the query");
  TransferExchange y(src, secret, ZoneRecords("rpz.test"), false);
  const std::vector<std::uint8_t> noise(40, 0xEE);
  EXPECT_EQ(take(y, noise), Step::Failed);
  EXPECT_EQ(y.error(),
            "message 1 has more than two additional records (an OPT and a TSIG at most)");
  TransferExchange w(src, secret, ZoneRecords("rpz.test"), false);
  std::vector<std::uint8_t> truncated(12, 0);
  truncated[5] = 3;  // three questions, none there
  EXPECT_EQ(take(w, truncated), Step::Failed);
  EXPECT_EQ(w.error(), "message 1 is not a DNS message");
  TransferExchange z(src, secret, ZoneRecords("rpz.test"), false);
  Primary p2(z);
  EXPECT_EQ(take(z, p2.message({cname("a.example"), soa(8)})), Step::Failed);
  EXPECT_EQ(z.error(), "the transfer does not start with the zone's SOA");
}

TEST(TransferExchange, EndingsThatDoNotCloseTheTransferFailIt) {
  const auto src = source();
  const std::string secret;
  {  // an AXFR must end with the SOA it began with
    TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
    Primary primary(x);
    EXPECT_EQ(take(x, primary.message({soa(8), cname("a.example"), soa(9)})), Step::Failed);
    EXPECT_EQ(x.error(), "the transfer ends with serial 9, not 8 as it began");
  }
  {  // an IXFR to 9 whose diffs stop at 8
    TransferExchange x(src, secret, held_at_7(), true);
    Primary primary(x);
    EXPECT_EQ(take(x, primary.message({soa(9), soa(7), soa(8), cname("n.example"), soa(9)})),
              Step::Failed);
    EXPECT_EQ(x.error(), "the IXFR's diffs stop at serial 8, short of 9");
    EXPECT_TRUE(x.retry_with_axfr());
  }
  {  // more than transfer.max_size
    auto small = src;
    small.max_bytes = 4096;
    TransferExchange x(small, secret, ZoneRecords("rpz.test"), false);
    Primary primary(x);
    std::vector<std::string> records{soa(8)};
    for (int i = 0; i < 200; ++i)
      records.push_back(cname("name-" + std::to_string(i) + ".example"));
    EXPECT_EQ(take(x, primary.message(records)), Step::Failed);
    EXPECT_EQ(x.error(), "more than transfer.max_size (4096 bytes of DNS messages)");
  }
}

TEST(TransferExchange, RecordsTheZoneCannotHoldFailTheTransfer) {
  const auto src = source();
  const std::string secret;
  const std::pair<std::string, const char*> cases[] = {
      {"bad.example.other.test. 300 IN CNAME .",
       "a record outside the zone: bad.example.other.test."},
      {"bad.example.rpz.test. 300 CH CNAME .",
       "a record of bad.example.rpz.test. in class 3 (a policy zone is class IN)"},
      {"\\$INCLUDE.rpz.test. 300 IN CNAME .",
       "an owner a zone file would read as a directive: $INCLUDE.rpz.test."},
      {"sub.rpz.test. 300 IN SOA ns.rpz.test. host.rpz.test. 9 3600 600 86400 300",
       "an SOA that is not the zone's (sub.rpz.test., 7 fields)"},
  };
  for (const auto& [bad, why] : cases) {
    TransferExchange x(src, secret, ZoneRecords("rpz.test"), false);
    Primary primary(x);
    EXPECT_EQ(take(x, primary.message({soa(8), bad, soa(8)})), Step::Failed) << bad;
    EXPECT_EQ(x.error(), why);
  }
}

}  // namespace
}  // namespace takedown::control
