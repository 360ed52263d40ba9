// A zone whose primary stays unreachable: the copy stays until the SOA expire time has passed
// since the last success, then the zone is expired, kept or dropped as configured, and a dropped
// zone loads nothing without failing the compile of the other lists. And when each source is
// fetched again (SourceSchedule).
#include "control/sources/transfer_source.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "control/compile/snapshot_compiler.hpp"
#include "control/run/source_schedule.hpp"
#include "control/sources/source_state.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::control {
namespace {

std::string read(const std::string& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

class ExpiringZone : public ::testing::Test {
 protected:
  // A copy at serial 7 (refresh 3600 s, retry 600 s, expire 60 s, which counts as their sum,
  // 4200 s), last confirmed `age` seconds ago; the primary refuses connections (port 1).
  schema::Config setup(const char* expired, double age) {
    dir_.write("other.txt", "other.example\n");
    auto config = schema::parse_config(
        std::string(
            "lists:\n"
            "  - {name: rpz, format: rpz, transfer: {primary: 127.0.0.1, port: 1, zone: rpz.test,\n"
            "     timeout: 5s, expired: ") +
            expired +
            "}}\n"
            "  - {name: other, format: domains, path: other.txt}\n"
            "control: {snapshot_dir: " +
            dir_.path() + "/state}\n",
        dir_.file("t.yaml"));
    EXPECT_TRUE(config) << config.error();
    const std::string& copy = config->lists[0].path;
    std::filesystem::create_directories(std::filesystem::path(copy).parent_path());
    std::ofstream(copy)
        << "$ORIGIN rpz.test.\n"
           "rpz.test.\t300\tIN\tSOA\tns.rpz.test. host.rpz.test. 7 3600 600 60 300\n"
           "bad.example.rpz.test.\t300\tIN\tCNAME\t.\n";
    SourceState s;
    s.has_serial = true;
    s.serial = 7;
    s.refresh = 3600;
    s.retry = 600;
    s.expire = 60;
    s.entries = 1;
    s.last_success_unix = unix_now() - age;
    EXPECT_TRUE(save_source_state(copy, s));
    return *config;
  }

  testing::TempDir dir_;
};

TEST_F(ExpiringZone, BeforeTheExpireTimeTheCopyStays) {
  const schema::Config config = setup("drop", 4000);
  const SourceUpdate u = update_transfer_source(config.lists[0]);
  EXPECT_FALSE(u.ok);
  EXPECT_NE(u.message.find("Connection refused; the copy at serial 7 stays"), std::string::npos)
      << u.message;
  EXPECT_FALSE(u.state.expired);
  EXPECT_EQ(u.state.failures, 1u);
  EXPECT_NE(read(config.lists[0].path).find("bad.example"), std::string::npos);
}

TEST_F(ExpiringZone, KeptPastTheExpireTimeAndSaidSo) {
  const schema::Config config = setup("keep", 5000);
  const SourceUpdate u = update_transfer_source(config.lists[0]);
  EXPECT_NE(u.message.find("; ZONE EXPIRED: no transfer for 500"), std::string::npos) << u.message;
  EXPECT_NE(u.message.find("past the SOA expire of 4200 s; the expired copy stays in use "
                           "(transfer.expired: keep)"),
            std::string::npos)
      << u.message;
  EXPECT_TRUE(load_source_state(config.lists[0].path).expired);
  auto compiled = compile_snapshot(config);
  ASSERT_TRUE(compiled) << compiled.error();
  EXPECT_EQ(compiled->stats.domains, 2u);
}

TEST_F(ExpiringZone, DroppedPastTheExpireTimeLoadsNothingAndTheOthersCompile) {
  const schema::Config config = setup("drop", 5000);
  const SourceUpdate u = update_transfer_source(config.lists[0]);
  EXPECT_TRUE(u.changed);  // the copy lost its entries: compile and load again
  EXPECT_NE(u.message.find("its entries are dropped (transfer.expired: drop)"), std::string::npos)
      << u.message;
  const std::string copy = read(config.lists[0].path);
  EXPECT_EQ(copy.find("bad.example"), std::string::npos) << copy;
  EXPECT_NE(copy.find("SOA"), std::string::npos);
  auto compiled = compile_snapshot(config);
  ASSERT_TRUE(compiled) << compiled.error();
  EXPECT_EQ(compiled->stats.domains, 1u);
  // A second failed attempt does not cut again, and says the zone is still expired.
  const SourceUpdate again = update_transfer_source(config.lists[0]);
  EXPECT_FALSE(again.changed);
  EXPECT_NE(again.message.find("ZONE EXPIRED"), std::string::npos);
}

TEST(SourceSchedule, WhenEachSourceIsFetchedAgain) {
  auto config = schema::parse_config(
      "lists:\n"
      "  - {name: feed, format: domains, url: 'https://lists.example/d.txt', refresh: 5m}\n"
      "  - {name: zone, format: rpz, transfer: {primary: 192.0.2.53, zone: rpz.test}}\n"
      "  - {name: file, format: domains, path: f.txt}\n",
      "/t.yaml");
  ASSERT_TRUE(config) << config.error();
  using std::chrono::seconds;
  SourceUpdate u;
  u.ok = true;
  EXPECT_EQ(SourceSchedule::next_delay(config->lists[0], u), seconds(300));
  u.ok = false;
  for (auto [failures, delay] :
       {std::pair{1, 30}, {2, 60}, {3, 120}, {4, 240}, {5, 300}, {9, 300}}) {
    u.state.consecutive_failures = static_cast<std::uint64_t>(failures);
    EXPECT_EQ(SourceSchedule::next_delay(config->lists[0], u), seconds(delay)) << failures;
  }
  // A zone: its SOA's refresh after a success, its retry after a failure.
  u.state.has_serial = true;
  u.state.refresh = 900;
  u.state.retry = 120;
  u.ok = true;
  EXPECT_EQ(SourceSchedule::next_delay(config->lists[1], u), seconds(900));
  u.ok = false;
  EXPECT_EQ(SourceSchedule::next_delay(config->lists[1], u), seconds(120));
  u.state.refresh = 1;  // a primary's 1 s refresh is not a reason to hammer it
  u.ok = true;
  EXPECT_EQ(SourceSchedule::next_delay(config->lists[1], u), seconds(10));
  u.state.refresh = 0xFFFFFFFF;  // nor is its 136 years one to stop looking
  EXPECT_EQ(SourceSchedule::next_delay(config->lists[1], u), seconds(86400));

  const auto start = SourceSchedule::Clock::now();
  SourceSchedule schedule(*config, start);
  EXPECT_EQ(schedule.due(start), (std::vector<std::size_t>{0, 1}));  // the file list is not fetched
  u.ok = true;
  schedule.done(0, u, start);
  schedule.done(1, u, start);
  EXPECT_TRUE(schedule.due(start + seconds(5)).empty());
  EXPECT_EQ(schedule.wait_ms(start, 200), 200);
  EXPECT_FALSE(schedule.notify("rpz.test", "192.0.2.54", start));  // not its primary
  // Right after an attempt, a NOTIFY makes the zone due 250 ms after it, not at once.
  EXPECT_TRUE(schedule.notify("rpz.test", "192.0.2.53", start));
  EXPECT_TRUE(schedule.due(start).empty());
  EXPECT_EQ(schedule.wait_ms(start, 5000), 250);
  const auto later = start + seconds(3);
  EXPECT_TRUE(schedule.notify("rpz.test", "192.0.2.53", later));
  EXPECT_EQ(schedule.due(later), (std::vector<std::size_t>{1}));
  EXPECT_EQ(schedule.wait_ms(later, 200), 0);

  // A config change keeps the times of the sources that stayed; a new or changed one is due.
  auto changed = schema::parse_config(
      "lists:\n"
      "  - {name: new, format: domains, url: 'https://lists.example/n.txt'}\n"
      "  - {name: feed, format: domains, url: 'https://lists.example/d.txt', refresh: 1h}\n"
      "  - {name: zone, format: rpz, transfer: {primary: 192.0.2.99, zone: rpz.test}}\n",
      "/t.yaml");
  ASSERT_TRUE(changed) << changed.error();
  const SourceSchedule carried(*changed, later, &schedule);
  EXPECT_EQ(carried.due(later), (std::vector<std::size_t>{0, 2}));  // new, and zone's new primary
}

}  // namespace
}  // namespace takedown::control
