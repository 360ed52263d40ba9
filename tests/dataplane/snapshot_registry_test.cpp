// The RCU swap with a deadline, without an EAL: a worker that stops reporting quiescent states
// delays a reload by the deadline at most, is named, and the old snapshot is freed once it
// reports again. Workers are threads that follow the worker loop's protocol (report, then count
// the round).
#include "dataplane/service/snapshot_registry.hpp"

#include <gtest/gtest.h>
#include <rte_rcu_qsbr.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "control/compile/snapshot_compiler.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::dataplane {
namespace {

using Clock = std::chrono::steady_clock;

class FakeWorker {
 public:
  FakeWorker(Runtime& runtime, unsigned index) : runtime_(runtime), index_(index) {
    rte_rcu_qsbr_thread_register(runtime_.rcu, index_);
    rte_rcu_qsbr_thread_online(runtime_.rcu, index_);
    thread_ = std::thread([this] {
      while (!stop_) {
        if (!wedged_) {
          rte_rcu_qsbr_quiescent(runtime_.rcu, index_);
          auto& rounds = runtime_.progress[index_].rounds;
          rounds.store(rounds.load() + 1, std::memory_order_release);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    });
  }
  ~FakeWorker() {
    stop_ = true;
    thread_.join();
    rte_rcu_qsbr_thread_offline(runtime_.rcu, index_);
    rte_rcu_qsbr_thread_unregister(runtime_.rcu, index_);
  }
  void wedge(bool wedged) { wedged_ = wedged; }

 private:
  Runtime& runtime_;
  unsigned index_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> wedged_{false};
  std::thread thread_;
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("a.txt", "scam.example\n");
    dir_.write("b.txt", "other.example\nmore.example\n");
    a_ = compile("a", "a.txt");
    b_ = compile("b", "b.txt");
    const std::size_t size = (rte_rcu_qsbr_get_memsize(2) + 63) / 64 * 64;
    rcu_ = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(64, size));
    ASSERT_EQ(rte_rcu_qsbr_init(rcu_, 2), 0);
    runtime_.rcu = rcu_;
  }
  void TearDown() override { std::free(rcu_); }

  std::string compile(const std::string& name, const std::string& list) {
    const std::string config = dir_.write(
        name + ".yaml", "lists: [{name: " + name + ", format: domains, path: " + list + "}]\n");
    auto compiled = control::compile_config_file(config);
    EXPECT_TRUE(compiled) << compiled.error();
    if (!compiled) return "";
    const std::string path = dir_.file(name + ".snap");
    EXPECT_TRUE(control::write_file_atomically(path, compiled->snapshot));
    return path;
  }

  testing::TempDir dir_;
  std::string a_, b_;
  rte_rcu_qsbr* rcu_ = nullptr;
  Runtime runtime_;
};

TEST_F(RegistryTest, AHealthyGracePeriodFreesAtOnce) {
  SnapshotRegistry registry(runtime_, 2, std::chrono::milliseconds(200));
  ASSERT_TRUE(registry.publish(filters::Snapshot::load_file(a_).value(), "a"));
  FakeWorker w0(runtime_, 0), w1(runtime_, 1);
  auto report = registry.load_file(b_);
  ASSERT_TRUE(report) << report.error();
  EXPECT_TRUE(report->lagging_workers.empty());
  EXPECT_EQ(registry.retired(), 0u);
  EXPECT_EQ(registry.history().grace_timeouts, 0u);
}

TEST_F(RegistryTest, AWedgedWorkerIsNamedAndNeverBlocksTheMainLcore) {
  SnapshotRegistry registry(runtime_, 2, std::chrono::milliseconds(20));
  ASSERT_TRUE(registry.publish(filters::Snapshot::load_file(a_).value(), "a"));
  FakeWorker w0(runtime_, 0), w1(runtime_, 1);
  w1.wedge(true);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // w1's last round is behind us

  const auto start = Clock::now();
  auto report = registry.load_file(b_);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(report) << report.error();
  EXPECT_LT(took, std::chrono::milliseconds(500));  // the deadline, not for ever
  EXPECT_GE(report->swap_us, 20000.0);
  EXPECT_EQ(report->lagging_workers, std::vector<unsigned>{1});
  EXPECT_EQ(registry.current().generation(), 2u);  // the new snapshot is in use all the same
  EXPECT_EQ(registry.retired(), 1u);
  EXPECT_EQ(registry.lagging(), std::vector<unsigned>{1});
  EXPECT_EQ(registry.history().grace_timeouts, 1u);

  // Reloads go on until kMaxRetired old snapshots wait; then loads are refused, naming worker 1.
  for (std::size_t i = 1; i < SnapshotRegistry::kMaxRetired; ++i) {
    ASSERT_TRUE(registry.load_file(i % 2 ? a_ : b_));
  }
  EXPECT_EQ(registry.retired(), SnapshotRegistry::kMaxRetired);
  auto refused = registry.load_file(a_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("wait for worker 1 to report"), std::string::npos)
      << refused.error();
  const std::uint64_t generation = registry.current().generation();

  // Once it reports, poll() frees what waited, and nobody is lagging.
  w1.wedge(false);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (registry.retired() != 0 && Clock::now() < deadline) {
    registry.poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(registry.retired(), 0u);
  EXPECT_TRUE(registry.lagging().empty());
  auto again = registry.load_file(b_);
  ASSERT_TRUE(again) << again.error();
  EXPECT_TRUE(again->lagging_workers.empty());
  EXPECT_EQ(registry.current().generation(), generation + 1);
}

}  // namespace
}  // namespace takedown::dataplane
