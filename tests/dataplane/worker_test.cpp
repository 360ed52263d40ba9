// The worker loop in-process, on ethdevs made from rte_rings: what comes out of which port, and
// how the counters add up, including frames the tx ring refuses.
#include "dataplane/worker/worker.hpp"

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "filters/common/byte_order.hpp"
#include "tests/support/compiled_snapshot.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/wrapper_frames.hpp"
#include "tests/support/quic_builder.hpp"

namespace takedown::dataplane {
namespace {

using namespace takedown::testing::frames;

constexpr unsigned kTxRing = 64;  // holds 63: small enough to overflow on purpose

// ASSERT_TRUE(decodes(frame, p)): the frame the worker sent decodes, into `p`; else the reason.
::testing::AssertionResult decodes(const Bytes& frame, filters::DecodedPacket& p) {
  const filters::DecodeResult r = filters::decode_packet(frame, p);
  if (r.status == filters::DecodeStatus::Ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "a sent frame of " << frame.size()
                                       << " bytes does not decode: " << to_string(r.reason);
}

class WorkerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (pool_ != nullptr) return;  // one EAL for every suite of this fixture
    std::vector<std::string> args = {"worker_test", "--no-huge", "-m",
                                     "128",         "--no-pci",  "--no-shconf",
                                     "-l",          "0",         "--log-level=error"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ASSERT_GE(rte_eal_init(static_cast<int>(argv.size()), argv.data()), 0);
    pool_ = rte_pktmbuf_pool_create("worker_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    ASSERT_NE(pool_, nullptr);
    for (int p = 0; p < 2; ++p) {
      const std::string n = std::to_string(p);
      rx_[p] = rte_ring_create(("rx" + n).c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
      tx_[p] = rte_ring_create(("tx" + n).c_str(), kTxRing, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
      const int id = rte_eth_from_rings(("port" + n).c_str(), &rx_[p], 1, &tx_[p], 1, 0);
      ASSERT_GE(id, 0);
      port_id_[p] = static_cast<std::uint16_t>(id);
      rte_eth_conf conf{};
      ASSERT_EQ(rte_eth_dev_configure(port_id_[p], 1, 1, &conf), 0);
      ASSERT_EQ(rte_eth_rx_queue_setup(port_id_[p], 0, 1024, 0, nullptr, pool_), 0);
      ASSERT_EQ(rte_eth_tx_queue_setup(port_id_[p], 0, 1024, 0, nullptr), 0);
      ASSERT_EQ(rte_eth_dev_start(port_id_[p]), 0);
    }
  }

  void SetUp() override {
    dir_ = std::make_unique<takedown::testing::TempDir>();
    dir_->write("block.txt", "scam.example\n");
    dir_->write("sink.txt", "sink.example\n");
    dir_->write("paged.txt", "paged.example\n");
    dir_->write("log.txt", "watch.example\n");
    dir_->write("allow.txt", "ok.scam.example\n");
    auto snapshot = takedown::testing::compile_yaml(*dir_, R"(
lists:
  - {name: block, format: domains, path: block.txt, response: {tls: drop}}
  - name: paged
    format: domains
    path: paged.txt
    response: {http: page, text: "Report mistakes to abuse@isp.example", ede: censored}
  - name: sink
    format: domains
    path: sink.txt
    response: {dns: sinkhole, a: 192.0.2.7, ttl: 30}
  - {name: log, format: domains, path: log.txt, action: log}
  - {name: allow, format: domains, path: allow.txt, action: allow}
)");
    ASSERT_NE(snapshot, nullptr);
    auto active = ActiveSnapshot::create(std::move(snapshot), 7, 1, "test");
    ASSERT_TRUE(active) << active.error();
    active_ = std::move(*active);
    runtime_.ports = {Port{.name = "a", .port_id = port_id_[0], .peer = 1},
                      Port{.name = "b", .port_id = port_id_[1], .peer = 0}};
    runtime_.pool = pool_;
    runtime_.active.store(active_.get());
    runtime_.stop.store(true);  // run() then only drains what is queued, and returns
    worker_ = std::make_unique<Worker>(0, runtime_);
    worker_->add_rx_queue(0, 0);
    worker_->add_rx_queue(1, 0);
  }

  void TearDown() override {
    for (int p = 0; p < 2; ++p) drain(p);
  }

  void receive(int port, const Bytes& frame) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    ASSERT_NE(m, nullptr);
    std::memcpy(rte_pktmbuf_append(m, static_cast<std::uint16_t>(frame.size())), frame.data(),
                frame.size());
    ASSERT_EQ(rte_ring_enqueue(rx_[port], m), 0);
  }

  // What the worker sent out of `port`, in order.
  std::vector<Bytes> drain(int port) {
    std::vector<Bytes> out;
    void* m = nullptr;
    while (rte_ring_dequeue(tx_[port], &m) == 0) {
      auto* mbuf = static_cast<rte_mbuf*>(m);
      const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
      out.emplace_back(data, data + rte_pktmbuf_data_len(mbuf));
      rte_pktmbuf_free(mbuf);
    }
    return out;
  }

  void expect_identities() {
    const WorkerCounters& c = worker_->counters();
    const std::uint64_t blocked = c.answered + c.answered_tcp + c.http_page + c.reset +
                                  c.blocked_drop + c.no_return_drop;
    EXPECT_EQ(c.rx_packets,
              c.tx_packets + blocked + c.malformed_drop + c.tx_errors + c.quic_holding);
    EXPECT_EQ(c.blocked_dns + c.blocked_http + c.blocked_tls + c.blocked_quic, blocked);
    const auto& ports = worker_->port_counters();
    EXPECT_EQ(ports[0].tx + ports[1].tx, c.tx_packets + c.responses_sent + c.tcp_answers_sent +
                                             c.pages_sent + c.resets_sent);
    EXPECT_EQ(ports[0].rx + ports[1].rx, c.rx_packets);
  }

  static Bytes query(const std::string& name, bool edns = false) {
    return ethernet(0x0800) + ipv4(17, udp(40000, 53, dns_query(name, 1, edns)));
  }

  static inline rte_mempool* pool_ = nullptr;
  static inline rte_ring* rx_[2] = {};
  static inline rte_ring* tx_[2] = {};
  static inline std::uint16_t port_id_[2] = {};
  std::unique_ptr<takedown::testing::TempDir> dir_;
  std::unique_ptr<ActiveSnapshot> active_;
  Runtime runtime_;
  std::unique_ptr<Worker> worker_;
};

TEST_F(WorkerTest, PassingFramesGoToThePeerUnchangedAndInOrder) {
  const std::vector<Bytes> frames = {query("www.example.com"), ethernet(0x0806) + Bytes(28, 1),
                                     query("watch.example"), query("ok.scam.example")};
  for (const Bytes& f : frames) receive(0, f);
  receive(1, query("from.the.other.side"));
  worker_->run();
  EXPECT_EQ(drain(1), frames);
  EXPECT_EQ(drain(0), std::vector<Bytes>{query("from.the.other.side")});
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.tx_packets, 5u);
  EXPECT_EQ(c.logged, 1u);
  EXPECT_EQ(c.allowed, 1u);
  EXPECT_EQ(c.passed, 3u);
  EXPECT_EQ(active_->slot(0).list_hits, (std::vector<std::uint64_t>{0, 0, 0, 1, 1}));
  expect_identities();
}

TEST_F(WorkerTest, BlockedQueriesAreAnsweredBackOutOfTheIngressPort) {
  receive(0, query("www.scam.example", true));
  receive(0, query("sink.example"));
  worker_->run();
  EXPECT_TRUE(drain(1).empty());
  const std::vector<Bytes> answers = drain(0);
  ASSERT_EQ(answers.size(), 2u);
  filters::DecodedPacket p;
  ASSERT_TRUE(decodes(answers[0], p));
  EXPECT_EQ(p.src_port, 53);
  EXPECT_EQ(filters::load_be16(&answers[0][p.payload_offset + 2]) & 0x800F, 0x8003);  // NXDOMAIN
  // EDE 15 (Blocked) with the list's name as its text, at the end.
  const std::string text = "blocked by block";
  const std::size_t ede = answers[0].size() - text.size() - 2;
  EXPECT_EQ(filters::load_be16(&answers[0][ede]), 15);
  EXPECT_EQ(std::string(answers[0].begin() + ede + 2, answers[0].end()), text);
  EXPECT_EQ(filters::load_be16(&answers[0][p.payload_offset + 8]), 1);  // the SOA
  ASSERT_TRUE(decodes(answers[1], p));
  EXPECT_EQ(filters::load_be16(&answers[1][p.payload_offset + 6]), 1);  // one A record
  EXPECT_EQ(answers[1].back(), 7);                                      // 192.0.2.7
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.answered, 2u);
  EXPECT_EQ(c.responses_sent, 2u);
  EXPECT_EQ(c.blocked_dns, 2u);
  EXPECT_EQ(active_->slot(0).list_hits[0], 1u);
  EXPECT_EQ(active_->slot(0).list_hits[2], 1u);
  expect_identities();
}

TEST_F(WorkerTest, AnAnswerIsWrittenOverItsQueryOnlyWhenTheWorkerAloneHoldsIt) {
  // The same query three ways: in an mbuf of its own (answered over itself), in an mbuf someone
  // else also holds (answered in a fresh one, the shared bytes untouched), and with IPv4 options
  // (whose answer, without them, is built aside and copied in). All three answers are the same.
  const Bytes plain = query("www.scam.example", true);
  receive(0, plain);
  rte_mbuf* shared = rte_pktmbuf_alloc(pool_);
  ASSERT_NE(shared, nullptr);
  std::memcpy(rte_pktmbuf_append(shared, static_cast<std::uint16_t>(plain.size())), plain.data(),
              plain.size());
  rte_mbuf_refcnt_update(shared, 1);  // the test's own reference
  ASSERT_EQ(rte_ring_enqueue(rx_[0], shared), 0);
  receive(0, ethernet(0x0800) +
                 ipv4(17, udp(40000, 53, dns_query("www.scam.example", 1, true)), 0, Bytes(4, 1)));
  worker_->run();
  const std::vector<Bytes> answers = drain(0);
  ASSERT_EQ(answers.size(), 3u);
  filters::DecodedPacket p;
  ASSERT_TRUE(decodes(answers[0], p));
  EXPECT_EQ(p.src_port, 53);
  EXPECT_EQ(answers[1], answers[0]) << "the answer to the shared frame";
  EXPECT_EQ(answers[2], answers[0]) << "the answer built aside";
  EXPECT_EQ(Bytes(rte_pktmbuf_mtod(shared, const std::uint8_t*),
                  rte_pktmbuf_mtod(shared, const std::uint8_t*) + rte_pktmbuf_data_len(shared)),
            plain)
      << "a frame someone else holds is not written over";
  rte_pktmbuf_free(shared);
  EXPECT_EQ(worker_->counters().answered, 3u);
}

TEST_F(WorkerTest, BlockedTcpQueriesAreAnsweredInTheirStreamAndTheServerSideReset) {
  const Bytes message = dns_query("www.scam.example", 65, true);
  Bytes prefixed;
  put16(prefixed, message.size());
  prefixed = prefixed + message;
  receive(0, ethernet(0x0800) + ipv4(6, tcp(45000, 53, prefixed)));
  // A query in a SYN (Fast Open) has no stream to answer in: it is reset.
  receive(0, ethernet(0x0800) + ipv4(6, tcp(45001, 53, prefixed, 0, 0x02)));
  worker_->run();
  const std::vector<Bytes> back = drain(0);
  const std::vector<Bytes> onwards = drain(1);
  ASSERT_EQ(back.size(), 2u);
  ASSERT_EQ(onwards.size(), 2u);
  filters::DecodedPacket p;
  ASSERT_TRUE(decodes(back[0], p));
  EXPECT_EQ(p.tcp_flags, 0x19);  // FIN|PSH|ACK, with the answer
  EXPECT_EQ(p.tcp_seq, 2000u);
  EXPECT_EQ(p.tcp_ack, 1000u + prefixed.size());
  EXPECT_EQ(filters::load_be16(&back[0][p.payload_offset]), p.payload_length - 2);
  EXPECT_EQ(filters::load_be16(&back[0][p.payload_offset + 2 + 2]) & 0x800F, 0x8003);
  ASSERT_TRUE(decodes(onwards[0], p));
  EXPECT_EQ(p.tcp_flags, 0x14);  // the server's side: RST
  EXPECT_EQ(p.dst_port, 53);
  ASSERT_TRUE(decodes(back[1], p));
  EXPECT_EQ(p.tcp_flags & 0x04, 0x04);
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.answered_tcp, 1u);
  EXPECT_EQ(c.tcp_answers_sent, 1u);
  EXPECT_EQ(c.reset, 1u);
  EXPECT_EQ(c.resets_sent, 3u);
  expect_identities();
}

TEST_F(WorkerTest, BlockedHttpGetsTheListsPageAndItsAcksDieQuietly) {
  const std::string request = "GET /login HTTP/1.1\r\nHost: paged.example\r\n\r\n";
  const Bytes head(request.begin(), request.end());
  auto flows = filters::FlowTracker::create(filters::FlowConfig{}, runtime_.extract_ports,
                                            rte_get_tsc_hz());
  ASSERT_TRUE(flows) << flows.error();
  worker_->set_flows(std::move(flows.value()), 0);
  receive(0, ethernet(0x0800) + ipv4(6, tcp(52000, 80, head)));
  worker_->run();
  // The client's ACK of the page, then its FIN: the first dropped, the second reset.
  receive(0, tcp_frame(52000, 80, 1000 + static_cast<std::uint32_t>(head.size()), 0x10, {}));
  receive(0, tcp_frame(52000, 80, 1000 + static_cast<std::uint32_t>(head.size()), 0x11, {}));
  worker_->run();
  const std::vector<Bytes> back = drain(0);
  const std::vector<Bytes> onwards = drain(1);
  ASSERT_EQ(back.size(), 2u);  // the page, then the reset of the FIN
  filters::DecodedPacket p;
  ASSERT_TRUE(decodes(back[0], p));
  EXPECT_EQ(p.tcp_flags, 0x19);
  EXPECT_EQ(p.tcp_seq, 2000u);
  EXPECT_EQ(p.tcp_ack, 1000u + head.size());
  const std::string page(back[0].begin() + p.payload_offset, back[0].end());
  EXPECT_EQ(page.rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0u) << page;
  EXPECT_NE(page.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(page.find("<b>paged</b>"), std::string::npos);
  EXPECT_NE(page.find("Report mistakes to abuse@isp.example"), std::string::npos);
  ASSERT_TRUE(decodes(back[1], p));
  EXPECT_EQ(p.tcp_flags & 0x04, 0x04);
  ASSERT_GE(onwards.size(), 1u);
  ASSERT_TRUE(decodes(onwards[0], p));
  EXPECT_EQ(p.tcp_flags, 0x14);
  EXPECT_EQ(p.dst_port, 80);
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.http_page, 1u);
  EXPECT_EQ(c.pages_sent, 1u);
  EXPECT_EQ(c.blocked_drop, 1u);  // the ACK
  expect_identities();
}

TEST_F(WorkerTest, WrappedTrafficIsJudgedAndAnsweredInsideItsWrapper) {
  const Bytes inner = ipv4(17, udp(40000, 53, dns_query("www.scam.example", 1, true)));
  const Bytes pppoe_query = ethernet(0x8864, {{0x88A8, 10}, {0x8100, 20}}) + pppoe(0x4242, inner);
  const Bytes vxlan_query =
      ethernet(0x0800) +
      outer_ipv4(17, udp(51515, 4789, vxlan(0x1234, ethernet(0x0800) + inner)), 0x0A000001,
                 0x0A000002);
  const Bytes mpls_query = ethernet(0x8847) + mpls({100, 200}, inner);
  const Bytes gtp_tls =
      ethernet(0x0800) +
      outer_ipv4(17, udp(2152, 2152, gtpu(0xA1B2C3D4, ipv4(6, tcp(40002, 443, client_hello(
                                                                                {sni("scam.example")}))))),
                 0x0A000001, 0x0A000002);
  const Bytes gtp_http = [] {
    const std::string request = "GET / HTTP/1.1\r\nHost: scam.example\r\n\r\n";
    return ethernet(0x0800) +
           outer_ipv4(17, udp(2152, 2152, gtpu(7, ipv4(6, tcp(40003, 80, Bytes(request.begin(),
                                                                               request.end()))))),
                      0x0A000001, 0x0A000002);
  }();
  const Bytes allowed_gre =
      ethernet(0x0800) + outer_ipv4(47, gre(0x0800, ipv4(17, udp(1, 53, dns_query("www.example.com")))),
                                    0x0A000001, 0x0A000002);
  for (const Bytes& f : {pppoe_query, vxlan_query, mpls_query, gtp_tls, gtp_http, allowed_gre})
    receive(0, f);
  worker_->run();
  const std::vector<Bytes> back = drain(0);
  const std::vector<Bytes> onwards = drain(1);
  // Back: the PPPoE and VXLAN answers; nothing through MPLS or GTP-U.
  ASSERT_EQ(back.size(), 2u);
  filters::DecodedPacket p;
  ASSERT_TRUE(decodes(back[0], p));
  filters::Wrapper w;
  ASSERT_EQ(p.wrappers(back[0], &w, 1), 1u);
  EXPECT_EQ(w.kind, filters::WrapperKind::Pppoe);
  EXPECT_EQ(w.id, 0x4242u);
  EXPECT_EQ(p.src_port, 53);
  ASSERT_TRUE(decodes(back[1], p));
  ASSERT_EQ(p.wrappers(back[1], &w, 1), 1u);
  EXPECT_EQ(w.kind, filters::WrapperKind::Vxlan);
  EXPECT_EQ(w.id, 0x1234u);
  // Onwards, in arrival order: the HTTP reset to the server inside GTP-U (a dropped ClientHello
  // gets none: the list says drop for TLS), then the allowed GRE query as it came.
  ASSERT_EQ(onwards.size(), 2u);
  EXPECT_EQ(onwards[1], allowed_gre);
  ASSERT_TRUE(decodes(onwards[0], p));
  EXPECT_EQ(p.tcp_flags & 0x04, 0x04);
  EXPECT_EQ(p.dst_port, 80);
  ASSERT_EQ(p.wrappers(onwards[0], &w, 1), 1u);
  EXPECT_EQ(w.kind, filters::WrapperKind::GtpU);
  EXPECT_EQ(w.id, 7u);
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.answered, 2u);
  EXPECT_EQ(c.no_return_drop, 2u);  // the MPLS query, the GTP-U HTTP request
  EXPECT_EQ(c.blocked_drop, 1u);    // the GTP-U ClientHello, by policy
  EXPECT_EQ(c.resets_sent, 1u);
  EXPECT_EQ(c.wrapped_pppoe, 1u);
  EXPECT_EQ(c.wrapped_vxlan, 1u);
  EXPECT_EQ(c.wrapped_mpls, 1u);
  EXPECT_EQ(c.wrapped_gtpu, 2u);
  EXPECT_EQ(c.wrapped_gre, 1u);
  EXPECT_EQ(c.wrapped_ipip, 0u);
  expect_identities();
}

TEST_F(WorkerTest, BlockedHttpIsResetBothWaysAndTlsDroppedAsConfigured) {
  const std::string request = "GET / HTTP/1.1\r\nHost: scam.example\r\n\r\n";
  const Bytes http =
      ethernet(0x0800) + ipv4(6, tcp(51000, 80, Bytes(request.begin(), request.end())));
  receive(0, http);
  receive(0, ethernet(0x0800) + ipv4(6, tcp(51001, 443, client_hello({sni("scam.example")}))));
  worker_->run();
  const std::vector<Bytes> back = drain(0);
  const std::vector<Bytes> onwards = drain(1);
  ASSERT_EQ(back.size(), 1u);
  ASSERT_EQ(onwards.size(), 1u);
  filters::DecodedPacket p;
  ASSERT_TRUE(decodes(back[0], p));
  EXPECT_EQ(p.tcp_flags, 0x14);
  EXPECT_EQ(p.dst_port, 51000);
  ASSERT_TRUE(decodes(onwards[0], p));
  EXPECT_EQ(p.tcp_flags, 0x14);
  EXPECT_EQ(p.dst_port, 80);
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.reset, 1u);
  EXPECT_EQ(c.resets_sent, 2u);
  EXPECT_EQ(c.blocked_drop, 1u);
  EXPECT_EQ(c.blocked_http, 1u);
  EXPECT_EQ(c.blocked_tls, 1u);
  expect_identities();
}

TEST_F(WorkerTest, MalformedFramesFollowThePolicy) {
  const Bytes cut = query("www.example.com");
  const Bytes truncated(cut.begin(), cut.begin() + 30);  // inside the IPv4 header
  for (auto policy : {schema::MalformedPolicy::Forward, schema::MalformedPolicy::Drop}) {
    runtime_.malformed = policy;
    receive(0, truncated);
    worker_->run();
    EXPECT_EQ(drain(1).size(), policy == schema::MalformedPolicy::Forward ? 1u : 0u);
  }
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.truncated + c.malformed, 2u);
  EXPECT_EQ(c.malformed_drop, 1u);
  expect_identities();
}

// Idle back-off (dataplane.idle_sleep_us): with nothing to receive, a worker that sleeps uses a
// small part of the CPU time one that polls without pause does, and a frame that comes while it
// sleeps still goes on, within the sleep. Both workers run for the same wall time in this test.
class WorkerIdleTest : public WorkerTest {
 protected:
  struct IdleRun {
    double cpu_seconds = 0;
    std::uint64_t sleeps = 0;
    double polled_seconds = 0;  // the poll rounds' time, sleeps included
    std::vector<double> wake_up_us;  // frame received -> on the peer's tx ring
  };

  // Runs the worker on its own thread for `idle` with empty rings, then sends `frames` frames,
  // each after `gap` of silence, and times each one until it is on port 1's tx ring.
  IdleRun run_idle(std::uint32_t sleep_us, std::chrono::milliseconds idle, int frames,
                   std::chrono::milliseconds gap) {
    runtime_.idle_sleep_us = sleep_us;
    runtime_.stop.store(false);
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);  // this thread's 10 us naps stay short
    std::atomic<double> cpu{0};
    std::thread lcore([&] {
      worker_->run();
      timespec t{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
      cpu.store(static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9);
    });
    IdleRun out;
    std::this_thread::sleep_for(idle);
    const Bytes frame = query("pass.example");
    for (int i = 0; i < frames; ++i) {
      std::this_thread::sleep_for(gap);
      receive(0, frame);
      const auto sent = std::chrono::steady_clock::now();
      // Drained every 10 us, not in a spin: this thread shares the EAL's core 0 with the worker.
      std::vector<Bytes> got;
      while (got.empty() && std::chrono::steady_clock::now() - sent < std::chrono::seconds(2)) {
        std::this_thread::sleep_for(std::chrono::microseconds(10));
        got = drain(1);
      }
      const auto took = std::chrono::steady_clock::now() - sent;
      EXPECT_EQ(got.size(), 1u);
      if (got.size() != 1) break;
      EXPECT_EQ(got[0], frame);
      out.wake_up_us.push_back(std::chrono::duration<double, std::micro>(took).count());
    }
    runtime_.stop.store(true);
    lcore.join();
    out.cpu_seconds = cpu.load();
    out.sleeps = worker_->counters().idle_sleeps;
    out.polled_seconds = static_cast<double>(worker_->counters().polled_cycles) /
                         static_cast<double>(rte_get_tsc_hz());
    return out;
  }

  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
  }
};

TEST_F(WorkerIdleTest, AnIdleWorkerSleepsAndStillForwardsWhatComesWhileItSleeps) {
  const auto idle = std::chrono::milliseconds(300);
  const IdleRun backed_off = run_idle(50, idle, 20, std::chrono::milliseconds(5));
  worker_ = std::make_unique<Worker>(0, runtime_);
  worker_->add_rx_queue(0, 0);
  worker_->add_rx_queue(1, 0);
  const IdleRun polling = run_idle(0, idle, 20, std::chrono::milliseconds(5));

  ASSERT_EQ(backed_off.wake_up_us.size(), 20u);
  ASSERT_EQ(polling.wake_up_us.size(), 20u);
  std::printf("idle_sleep_us 50: %.3f s of CPU, %llu sleeps, wake-up median %.0f us, max %.0f us\n",
              backed_off.cpu_seconds, static_cast<unsigned long long>(backed_off.sleeps),
              median(backed_off.wake_up_us),
              *std::max_element(backed_off.wake_up_us.begin(), backed_off.wake_up_us.end()));
  std::printf("idle_sleep_us 0:  %.3f s of CPU, %llu sleeps, wake-up median %.0f us, max %.0f us\n",
              polling.cpu_seconds, static_cast<unsigned long long>(polling.sleeps),
              median(polling.wake_up_us),
              *std::max_element(polling.wake_up_us.begin(), polling.wake_up_us.end()));
  EXPECT_EQ(polling.sleeps, 0u);
  // ~400 ms idle at >= 50 us a sleep: thousands of sleeps, and at most 8,000.
  EXPECT_GT(backed_off.sleeps, 500u);
  EXPECT_LT(backed_off.sleeps, 8000u);
  // Polling keeps the core: its CPU time is near its wall time, the sleeper's a fraction of it
  // (about a quarter here, with 50 us sleeps: each costs a system call and a timer).
  EXPECT_LT(backed_off.cpu_seconds * 2, polling.cpu_seconds);
  // Its sleeps count as idle time of its rounds (the busy ratio is a share of the wall time): the
  // rounds cover the ~0.4 s it ran.
  EXPECT_GT(backed_off.polled_seconds, 0.3);
  // Woken within its sleep (50 us) and the poll after it; 20 ms is far more than that takes even
  // on a loaded machine, and far less than the 300 ms the worker was idle.
  EXPECT_LT(median(backed_off.wake_up_us), 20000.0);
  expect_identities();
}

TEST_F(WorkerTest, FramesTheTxRingRefusesAreFreedAndCounted) {
  const unsigned before = rte_mempool_avail_count(pool_);
  for (int i = 0; i < 100; ++i) receive(0, query("www.example.com"));
  worker_->run();
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.tx_packets, kTxRing - 1);
  EXPECT_EQ(c.tx_errors, 100 - (kTxRing - 1));
  expect_identities();
  EXPECT_EQ(drain(1).size(), kTxRing - 1);
  EXPECT_EQ(rte_mempool_avail_count(pool_), before);  // nothing leaked
}

// QUIC Initials through the worker with its flow table: a post-quantum ClientHello over two
// Initials, the server name in the second (as Chromium often sends it).
class WorkerQuicTest : public WorkerTest {
 protected:
  void with_flows(std::uint32_t hold_ms) {
    auto flows = filters::FlowTracker::create(filters::FlowConfig{}, runtime_.extract_ports,
                                              rte_get_tsc_hz());
    ASSERT_TRUE(flows) << flows.error();
    worker_->set_flows(std::move(flows.value()), hold_ms);
  }
  // The two datagrams of one client's Initials for `name`, from UDP port `sport`.
  static std::pair<Bytes, Bytes> initials(const std::string& name, std::uint16_t sport) {
    const Bytes message = handshake_of(
        client_hello({grease(0x1A1A), key_share(), ::takedown::testing::frames::sni(name), alpn()}));
    namespace q = ::takedown::testing::quic;
    q::Initial first;
    first.frames = q::crypto_frame(0, slice(message, 0, 1000));  // no name yet
    q::Initial second;
    second.packet_number = 3;
    second.frames = q::crypto_frame(1000, slice(message, 1000, message.size()));
    return {udp_frame(sport, 443, q::seal(first)), udp_frame(sport, 443, q::seal(second))};
  }
};

TEST_F(WorkerQuicTest, ABlockedNamesInitialsNeverLeaveNotEvenTheFirst) {
  with_flows(20);
  const unsigned before = rte_mempool_avail_count(pool_);
  const auto [first, second] = initials("scam.example", 50000);
  receive(0, first);
  receive(0, second);
  receive(0, second);  // a retransmission: the flow is blocked
  worker_->run();
  EXPECT_TRUE(drain(1).empty());
  const WorkerCounters& c = worker_->counters();
  EXPECT_EQ(c.quic_held, 1u);
  EXPECT_EQ(c.blocked_quic, 3u);
  EXPECT_EQ(c.quic_holding, 0u);
  expect_identities();
  EXPECT_EQ(rte_mempool_avail_count(pool_), before);
}

TEST_F(WorkerQuicTest, AnAllowedNamesInitialsLeaveInOrderOnceTheNameIsWhole) {
  with_flows(20);
  const auto [first, second] = initials("www.example.com", 50001);
  const auto [other, other_second] = initials("www.example.org", 50002);
  receive(0, first);
  receive(0, other);  // another flow's first Initial, between them
  receive(0, second);
  worker_->run();  // stopping: what is still held (the other flow's) goes on too
  const auto out = drain(1);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], first);
  EXPECT_EQ(out[1], second);
  EXPECT_EQ(out[2], other);
  EXPECT_EQ(worker_->counters().quic_held, 2u);
  expect_identities();
}

TEST_F(WorkerQuicTest, AFirstInitialWhoseRestNeverComesGoesOnAtTheDeadline) {
  with_flows(5);
  const auto [first, second] = initials("www.example.com", 50003);
  receive(0, first);
  runtime_.stop.store(false);
  // Before the worker starts: it may take the Initial before this thread runs again.
  const auto start = std::chrono::steady_clock::now();
  std::thread lcore([this] { worker_->run(); });
  std::vector<Bytes> out;
  while (out.empty() && std::chrono::steady_clock::now() - start < std::chrono::seconds(2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    out = drain(1);
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  runtime_.stop.store(true);
  lcore.join();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], first);
  EXPECT_GE(waited, std::chrono::milliseconds(4));
  EXPECT_EQ(worker_->counters().quic_hold_timeouts, 1u);
  expect_identities();
}

TEST_F(WorkerQuicTest, WithoutHoldingTheFirstInitialGoesAtOnce) {
  with_flows(0);
  const auto [first, second] = initials("scam.example", 50004);
  receive(0, first);
  receive(0, second);
  worker_->run();
  const auto out = drain(1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], first);
  EXPECT_EQ(worker_->counters().quic_held, 0u);
  EXPECT_EQ(worker_->counters().blocked_quic, 1u);
  expect_identities();
}

// The ring alone (no frames are touched): a full ring refuses, flows are taken from the middle,
// and expiry goes oldest first past the taken ones.
TEST(HeldFrames, RefusesWhenFullTakesByFlowAndExpiresOldestFirst) {
  HeldFrames held(4, 10);
  rte_mbuf* fake[5];
  for (int i = 0; i < 5; ++i) fake[i] = reinterpret_cast<rte_mbuf*>(std::uintptr_t{0x1000} * (i + 1));
  EXPECT_TRUE(held.hold(fake[0], 7, 0, 100));
  EXPECT_TRUE(held.hold(fake[1], 8, 1, 101));
  EXPECT_TRUE(held.hold(fake[2], 7, 0, 102));
  EXPECT_TRUE(held.hold(fake[3], 9, 0, 103));
  EXPECT_FALSE(held.hold(fake[4], 9, 0, 104));
  std::vector<rte_mbuf*> taken;
  held.take(7, [&](const HeldFrames::Held& h) { taken.push_back(h.frame); });
  EXPECT_EQ(taken, (std::vector<rte_mbuf*>{fake[0], fake[2]}));
  EXPECT_EQ(held.held(), 2u);
  EXPECT_TRUE(held.hold(fake[4], 9, 0, 104));  // the taken head slot is free again
  std::vector<rte_mbuf*> expired;
  held.expire(112, [&](const HeldFrames::Held& h) { expired.push_back(h.frame); });
  EXPECT_EQ(expired, (std::vector<rte_mbuf*>{fake[1]}));  // deadline 111; fake[3]'s is 113
  held.take_all([&](const HeldFrames::Held& h) { expired.push_back(h.frame); });
  EXPECT_EQ(expired, (std::vector<rte_mbuf*>{fake[1], fake[3], fake[4]}));
  EXPECT_EQ(held.held(), 0u);
}

}  // namespace
}  // namespace takedown::dataplane
