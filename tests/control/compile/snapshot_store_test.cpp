// The snapshot folder: names sort by age, the newest five are kept, a missing folder is created; a
// name from the future or a stray file never stalls or reorders it; killed writers' temporaries go.
#include "control/compile/snapshot_store.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>

#include "control/schema/snapshot_folder.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::control {
namespace {

TEST(SnapshotStore, KeepsTheNewestAndListsThemNewestFirst) {
  testing::TempDir dir;
  const std::string folder = dir.file("snapshots/nested");
  EXPECT_TRUE(schema::snapshots_newest_first(folder).empty());
  std::vector<std::string> written;
  for (std::uint8_t i = 0; i < 8; ++i) {
    auto stored = store_snapshot(folder, {i, i, i}, 5);
    ASSERT_TRUE(stored) << stored.error();
    written.push_back(stored->path);
  }
  dir.write("snapshots/nested/notes.txt", "not a snapshot");
  const auto listed = schema::snapshots_newest_first(folder);
  ASSERT_EQ(listed.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(listed[i], written[7 - i]);  // distinct, ordered
  EXPECT_FALSE(std::filesystem::exists(written[0]));
  EXPECT_EQ(std::filesystem::file_size(listed[0]), 3u);
}

TEST(SnapshotStore, AnUnwritableFolderIsAnError) {
  auto path = store_snapshot("/proc/takedown-cannot-be-here", {1, 2, 3});
  ASSERT_FALSE(path);
  EXPECT_NE(path.error().find("/proc/takedown-cannot-be-here"), std::string::npos) << path.error();
}

// Runs `store` and fails (ending the process: the call may never return) if it takes 10 s.
Result<StoredSnapshot> within_10s(const std::function<Result<StoredSnapshot>()>& store) {
  auto done = std::async(std::launch::async, store);
  if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    std::fprintf(stderr, "store_snapshot did not return within 10 s\n");
    std::_Exit(1);
  }
  return done.get();
}

// A stray file with a name far in the future (it used to make the store count milliseconds up
// to it: 100% CPU, for ever) and a snapshot a fast clock stamped a day ahead: the store names the
// new snapshot after both at once, and the newest is the one stored last.
TEST(SnapshotStore, AFutureNameNeverStallsOrReordersTheStore) {
  testing::TempDir dir;
  const std::string folder = dir.file("snapshots");
  std::filesystem::create_directories(folder);
  const auto day_ahead =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(24))
          .count();
  dir.write("snapshots/" + schema::snapshot_name(static_cast<std::uint64_t>(day_ahead)), "fast");
  const auto start = std::chrono::steady_clock::now();
  auto first = within_10s([&] { return store_snapshot(folder, {1}); });
  ASSERT_TRUE(first) << first.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(schema::snapshots_newest_first(folder).front(), first->path);

  dir.write("snapshots/takedown-999999999999999.snap", "");  // the repro: an empty stray
  auto second = within_10s([&] { return store_snapshot(folder, {2}); });
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(std::filesystem::path(second->path).filename(), "takedown-1000000000000000.snap");
  auto third = within_10s([&] { return store_snapshot(folder, {3}); });
  ASSERT_TRUE(third) << third.error();
  const auto listed = schema::snapshots_newest_first(folder);  // numbers, not text, decide
  ASSERT_GE(listed.size(), 3u);
  EXPECT_EQ(listed[0], third->path);
  EXPECT_EQ(listed[1], second->path);
  EXPECT_EQ(std::filesystem::path(listed[2]).filename(), "takedown-999999999999999.snap");

  // At the 18-digit limit the store refuses, naming the file, instead of looping or wrapping.
  dir.write("snapshots/takedown-999999999999999999.snap", "");
  auto full = within_10s([&] { return store_snapshot(folder, {4}); });
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().find("takedown-999999999999999999.snap"), std::string::npos)
      << full.error();
}

// kill -9 of a writer mid-write leaves takedown-<n>.snap.tmp.<pid>: the next store removes those
// whose writer is gone, counts them, and leaves a live writer's alone.
TEST(SnapshotStore, StaleTemporariesOfDeadWritersAreRemovedAndCounted) {
  testing::TempDir dir;
  const std::string folder = dir.file("snapshots");
  std::filesystem::create_directories(folder);
  const pid_t child = ::fork();
  if (child == 0) std::_Exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);  // a pid that is certainly gone now
  const std::string dead1 = dir.write("snapshots/takedown-001000.snap.tmp." + std::to_string(child),
                                      std::string(4096, 'x'));
  const std::string dead2 = dir.write("snapshots/takedown-001001.snap.tmp.999999999", "x");
  const std::string live = dir.write(
      "snapshots/takedown-001002.snap.tmp." + std::to_string(::getpid()), "being written");
  const std::string other = dir.write("snapshots/notes.tmp.1", "not ours");
  auto stored = store_snapshot(folder, {7});
  ASSERT_TRUE(stored) << stored.error();
  EXPECT_EQ(stored->stale_temporaries_removed, 2u);
  EXPECT_FALSE(std::filesystem::exists(dead1));
  EXPECT_FALSE(std::filesystem::exists(dead2));
  EXPECT_TRUE(std::filesystem::exists(live));
  EXPECT_TRUE(std::filesystem::exists(other));
}

}  // namespace
}  // namespace takedown::control
