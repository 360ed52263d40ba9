// The control socket and its commands, without an EAL: load swaps generations and refuses bad
// snapshots, status and stats answer, bad requests get reasons; the socket is 0660, replaces a
// stale file and refuses to steal a live one.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "control/compile/snapshot_compiler.hpp"
#include "control/run/control_client.hpp"
#include "dataplane/service/control_commands.hpp"
#include "dataplane/service/control_server.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::dataplane {
namespace {

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("a.txt", "scam.example\nphish.example\n");
    dir_.write("b.txt", "other.example\n");
    good_ = compile("lists: [{name: a, format: domains, path: a.txt}]\n", "good.snap");
    second_ = compile(
        "lists: [{name: a, format: domains, path: a.txt}, "
        "{name: b, format: domains, path: b.txt, action: log}]\n",
        "second.snap");
    auto first = filters::Snapshot::load_file(good_);
    ASSERT_TRUE(first) << first.error();
    ASSERT_TRUE(registry_.publish(std::move(*first), "test"));
  }

  std::string compile(const std::string& yaml, const std::string& name) {
    const std::string config = dir_.write(name + ".yaml", yaml);
    auto compiled = control::compile_config_file(config);
    EXPECT_TRUE(compiled) << compiled.error();
    if (!compiled) return "";
    const std::string path = dir_.file(name);
    EXPECT_TRUE(control::write_file_atomically(path, compiled->snapshot));
    return path;
  }

  std::string load(const std::string& path) {
    return commands_.handle("{\"command\": \"load\", \"snapshot\": \"" + path + "\"}");
  }

  testing::TempDir dir_;
  std::string good_;
  std::string second_;
  Runtime runtime_;
  SnapshotRegistry registry_{runtime_, 2};
  ControlCommands commands_{registry_, [] {
                              schema::Stats stats;
                              stats.totals.rx_packets = 42;
                              return stats;
                            }};
};

TEST_F(ControlTest, LoadSwapsAndKeepsTheRunningSnapshotOnBadInput) {
  EXPECT_EQ(runtime_.active.load(), &registry_.current());
  const std::string reply = load(second_);
  EXPECT_NE(reply.find("\"ok\": true, \"generation\": 2"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"lists\": 2"), std::string::npos) << reply;
  EXPECT_EQ(registry_.current().generation(), 2u);
  EXPECT_EQ(runtime_.active.load(), &registry_.current());
  EXPECT_EQ(registry_.current().workers(), 2u);

  // A flipped byte, a truncated file, a wrong version, no file: refused, generation 2 stays.
  std::string bytes;
  {
    std::ifstream in(second_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  std::string version = bytes;
  version[8] = 99;
  for (const auto& [name, content] :
       {std::pair{"flipped.snap", flipped}, std::pair{"short.snap", bytes.substr(0, 100)},
        std::pair{"version.snap", version}}) {
    const std::string r = load(dir_.write(name, content));
    EXPECT_NE(r.find("\"ok\": false"), std::string::npos) << name << ": " << r;
    EXPECT_NE(r.find("\"generation\": 2"), std::string::npos) << name << ": " << r;
  }
  EXPECT_NE(load(dir_.file("missing.snap")).find("\"ok\": false"), std::string::npos);
  EXPECT_EQ(registry_.current().generation(), 2u);
}

TEST_F(ControlTest, HitsSurviveReloadsByListName) {
  registry_.current().slot(0).list_hits[0] = 5;
  registry_.current().slot(1).list_hits[0] = 2;
  ASSERT_NE(load(second_).find("\"ok\": true"), std::string::npos);
  registry_.current().slot(1).list_hits[1] = 3;
  const auto hits = registry_.list_hits();
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0], (std::pair<std::string, std::uint64_t>{"a", 7}));
  EXPECT_EQ(hits[1], (std::pair<std::string, std::uint64_t>{"b", 3}));
}

// takedownctl's sources replace what takedownd had, and status shows them with their age.
TEST_F(ControlTest, SourcesAreShownAsTakedownctlLastReportedThem) {
  schema::SourceStatus feed;
  feed.list = "feed";
  feed.kind = "url";
  feed.origin = "https://lists.example/d.txt";
  feed.last_success_unix = 1.0;
  auto ack = schema::decode_ack_reply(
      commands_.handle(schema::encode(schema::Request(schema::SourcesRequest{{feed, feed}}))));
  ASSERT_TRUE(ack) << ack.error();
  feed.list = "only";
  ack = schema::decode_ack_reply(
      commands_.handle(schema::encode(schema::Request(schema::SourcesRequest{{feed}}))));
  ASSERT_TRUE(ack) << ack.error();
  auto status = schema::decode_status_reply(commands_.handle("{\"command\": \"status\"}"));
  ASSERT_TRUE(status) << status.error();
  const auto& reply = std::get<schema::StatusReply>(*status);
  ASSERT_EQ(reply.sources.size(), 1u);
  EXPECT_EQ(reply.sources[0].list, "only");
  EXPECT_GT(reply.now_unix, 1.7e9);
  EXPECT_EQ(registry_.history().sources.size(), 1u);  // what /metrics shows
}

TEST_F(ControlTest, StatusStatsAndBadRequests) {
  const std::string status = commands_.handle("{\"command\": \"status\"}");
  EXPECT_NE(status.find("\"generation\": 1"), std::string::npos) << status;
  EXPECT_NE(status.find("\"name\": \"a\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"domains\": 2"), std::string::npos) << status;
  auto stats = schema::decode_stats_reply(commands_.handle("{\"command\": \"stats\"}"));
  ASSERT_TRUE(stats) << stats.error();
  EXPECT_EQ(std::get<schema::StatsReply>(*stats).stats.totals.rx_packets, 42u);
  EXPECT_EQ(commands_.handle("{\"command\": \"reboot\"}"),
            "{\"ok\": false, \"error\": \"unknown command 'reboot' (expected load, stats, "
            "status, reload_failed or sources)\", \"generation\": 1}");
  EXPECT_NE(commands_.handle("{\"command\": \"load\"}").find("load needs \\\"snapshot\\\""),
            std::string::npos);
  EXPECT_NE(commands_.handle("[1, 2").find("request is not JSON"), std::string::npos);
  EXPECT_NE(commands_.handle("42").find("must be a JSON object"), std::string::npos);
  // takedownctl's report of a reload that failed before a load: counted and shown in status.
  const std::uint64_t before = registry_.history().failures;
  auto ack = schema::decode_ack_reply(commands_.handle(
      schema::encode(schema::Request(schema::ReloadFailedRequest{"compile", "a.txt:2: bad"}))));
  ASSERT_TRUE(ack) << ack.error();
  EXPECT_EQ(registry_.history().failures, before + 1);
  auto after = schema::decode_status_reply(commands_.handle("{\"command\": \"status\"}"));
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(std::get<schema::StatusReply>(*after).last_failure.error, "a.txt:2: bad");
}

TEST_F(ControlTest, SocketServesRepliesAndGuardsItsPath) {
  const std::string path = dir_.file("run/control.sock");
  auto server = ControlServer::open(path);
  ASSERT_TRUE(server) << server.error();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);

  // A second server on a live socket is refused.
  auto second = ControlServer::open(path);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("another takedownd is serving it"), std::string::npos);

  std::atomic<bool> done{false};
  std::thread serving([&] {
    while (!done) (*server)->poll(5, [&](std::string_view r) { return commands_.handle(r); });
  });
  auto reply = control::control_request(path, schema::StatsRequest{}, 5000);
  ASSERT_TRUE(reply) << reply.error();
  auto stats = schema::decode_stats_reply(*reply);
  ASSERT_TRUE(stats) << stats.error();
  EXPECT_EQ(std::get<schema::StatsReply>(*stats).stats.totals.rx_packets, 42u);
  reply = control::control_request(path, schema::LoadRequest{second_, 0}, 5000);
  ASSERT_TRUE(reply) << reply.error();
  auto loaded = schema::decode_load_reply(*reply);
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_TRUE(std::holds_alternative<schema::LoadReply>(*loaded)) << *reply;
  EXPECT_EQ(std::get<schema::LoadReply>(*loaded).generation, 2u);
  done = true;
  serving.join();
  server->reset();
  EXPECT_FALSE(std::filesystem::exists(path));  // removed on the way out

  // A stale socket file (nobody listening) is replaced; a regular file in the way is not.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(path));
  auto again = ControlServer::open(path);
  EXPECT_TRUE(again) << again.error();
  again->reset();
  dir_.write("run/control.sock", "a file");
  auto blocked = ControlServer::open(path);
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().find("not a socket"), std::string::npos) << blocked.error();
  EXPECT_EQ(control::control_request(dir_.file("run/none.sock"), schema::StatusRequest{}, 1000)
                    .error()
                    .find("cannot connect") != std::string::npos,
            true);
}

// A takedownd that listens but never accepts (still starting, or wedged): once its backlog is full
// a blocking connect() would wait for ever. The client gives up at its deadline and says why.
TEST_F(ControlTest, AClientGivesUpOnASocketThatNeverAccepts) {
  const std::string path = dir_.file("deaf.sock");
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  std::vector<std::string> errors;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {  // more than the backlog holds
    auto reply = control::control_request(path, schema::StatusRequest{}, 300);
    ASSERT_FALSE(reply);
    errors.push_back(reply.error());
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(4));
  EXPECT_NE(errors.front().find("no reply within 300 ms"), std::string::npos) << errors.front();
  EXPECT_NE(errors.back().find("accepts no connection"), std::string::npos) << errors.back();
  ::close(listener);
}

// A raw client: connected, sending nothing unless told.
int connect_to(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// What the server sends `fd` until it closes it (or 3 s pass).
std::string read_until_closed(int fd) {
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  char buffer[512];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return got;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got + "<still open>";
}

class ServedTest : public ControlTest {
 protected:
  void serve(ControlServer::Limits limits) {
    auto server = ControlServer::open(path_, limits);
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
    serving_ = std::thread([this] {
      while (!done_) server_->poll(5, [&](std::string_view r) { return commands_.handle(r); });
    });
  }
  void TearDown() override {
    done_ = true;
    if (serving_.joinable()) serving_.join();
  }
  std::string path_ = dir_.file("limits.sock");
  std::unique_ptr<ControlServer> server_;
  std::atomic<bool> done_{false};
  std::thread serving_;
};

// Idle clients used to lock everyone out once 16 were connected ("too many control clients").
TEST_F(ServedTest, ANewClientAlwaysGetsThroughIdleOnesHeldOpen) {
  serve(ControlServer::Limits{});
  std::vector<int> idle;
  for (std::size_t i = 0; i < ControlServer::Limits{}.max_clients + 8; ++i) {
    idle.push_back(connect_to(path_));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto reply = control::control_request(path_, schema::StatusRequest{}, 5000);
    ASSERT_TRUE(reply) << reply.error();
    auto status = schema::decode_status_reply(*reply);
    ASSERT_TRUE(status) << status.error();
    EXPECT_TRUE(std::holds_alternative<schema::StatusReply>(*status)) << *reply;
  }
  for (int fd : idle) ::close(fd);
}

TEST_F(ServedTest, IdleAndSlowClientsAreClosedAtTheirDeadlines) {
  serve(ControlServer::Limits{8, std::chrono::milliseconds(300), std::chrono::milliseconds(200)});
  const int idle = connect_to(path_);
  const int slow = connect_to(path_);
  ASSERT_EQ(::send(slow, "{\"command\": \"sta", 16, MSG_NOSIGNAL), 16);  // and nothing more
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(read_until_closed(idle), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  const std::string told = read_until_closed(slow);
  EXPECT_NE(told.find("not complete within the request deadline"), std::string::npos) << told;
  ::close(idle);
  ::close(slow);
  // A client that keeps asking is never idle.
  auto reply = control::control_request(path_, schema::StatsRequest{}, 5000);
  EXPECT_TRUE(reply) << reply.error();
}

}  // namespace
}  // namespace takedown::dataplane
