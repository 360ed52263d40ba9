// /metrics under a local user's hostile connections: 200 idle connections and a 20-connection
// slowloris are held while a scrape must still get its answer (16 idle connections used to make
// every scrape fail with "Connection reset by peer"); the slowloris is dropped at its header
// deadline; past max_clients the oldest unanswered connection makes room.
#include "dataplane/service/metrics_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace takedown::dataplane {
namespace {

using namespace std::chrono_literals;

class MetricsServerTest : public ::testing::Test {
 protected:
  void serve(MetricsServer::Limits limits) {
    // A port of this test's own, away from the default 9910 a takedownd may hold.
    for (int attempt = 0; attempt < 20 && !server_; ++attempt) {
      port_ = 20000 + (::getpid() * 7 + attempt * 131) % 20000;
      auto opened = MetricsServer::open("127.0.0.1:" + std::to_string(port_), limits);
      if (opened) server_ = std::move(*opened);
    }
    ASSERT_TRUE(server_);
    serving_ = std::thread([this] {
      while (!done_) server_->poll(1, [] { return std::string("takedown_up 1\n"); });
    });
  }
  void TearDown() override {
    done_ = true;
    if (serving_.joinable()) serving_.join();
    for (int fd : held_) ::close(fd);
  }
  int connect_tcp() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  // Everything the server sends until it closes (or 3 s pass).
  static std::string drain(int fd) {
    std::string got;
    char buffer[4096];
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return got;
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got + "<still open>";
  }
  std::string scrape() {
    const int fd = connect_tcp();
    const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::string answer = drain(fd);
    ::close(fd);
    return answer;
  }

  int port_ = 0;
  std::unique_ptr<MetricsServer> server_;
  std::atomic<bool> done_{false};
  std::thread serving_;
  std::vector<int> held_;
};

TEST_F(MetricsServerTest, AScrapeSucceedsWhileIdleConnectionsAndASlowlorisAreHeld) {
  serve(MetricsServer::Limits{512, 1500ms, 5s});
  for (int i = 0; i < 200; ++i) held_.push_back(connect_tcp());
  std::vector<int> slow;
  for (int i = 0; i < 20; ++i) slow.push_back(connect_tcp());
  std::atomic<bool> stop{false};
  std::thread loris([&] {  // one header byte at a time, never finishing
    const std::string header = "GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for (std::size_t i = 0; !stop && i < header.size(); ++i) {
      for (int fd : slow) (void)::send(fd, &header[i], 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(50ms);
    }
  });
  std::this_thread::sleep_for(200ms);
  for (int i = 0; i < 3; ++i) {
    const std::string answer = scrape();
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0u) << answer.substr(0, 200);
    EXPECT_NE(answer.find("takedown_up 1"), std::string::npos);
  }
  // The slowloris is dropped at its header deadline without an answer.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(drain(slow[0]), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  stop = true;
  loris.join();
  for (int fd : slow) ::close(fd);
}

TEST_F(MetricsServerTest, PastMaxClientsTheOldestUnansweredMakesRoom) {
  serve(MetricsServer::Limits{8, 10s, 5s});
  for (int i = 0; i < 8; ++i) held_.push_back(connect_tcp());
  std::this_thread::sleep_for(100ms);
  const std::string answer = scrape();
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0u) << answer.substr(0, 200);
  EXPECT_EQ(drain(held_[0]), "");  // the first one was closed to make room
}

}  // namespace
}  // namespace takedown::dataplane
