// The snapshot folder: names sort by age, the newest five are kept, a missing folder is created.
#include "control/compile/snapshot_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

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
    auto path = store_snapshot(folder, {i, i, i}, 5);
    ASSERT_TRUE(path) << path.error();
    written.push_back(*path);
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

}  // namespace
}  // namespace takedown::control
