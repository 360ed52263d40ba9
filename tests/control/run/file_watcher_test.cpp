// FileWatcher: writes, replacements by rename and removals of watched files are seen; other files
// in the same folder are not.
#include "control/run/file_watcher.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "tests/support/test_support.hpp"

namespace takedown::control {
namespace {

TEST(FileWatcher, SeesWritesRenamesAndRemovalsOfWatchedFilesOnly) {
  testing::TempDir dir;
  const std::string list = dir.write("list.txt", "a.example\n");
  const std::string config = dir.write("config.yaml", "lists: []\n");
  dir.write("other.txt", "x\n");
  auto watcher = FileWatcher::create({list, config});
  ASSERT_TRUE(watcher) << watcher.error();
  FileWatcher& w = **watcher;
  EXPECT_FALSE(w.changed(50));

  dir.write("other.txt", "y\n");  // same folder, not watched
  EXPECT_FALSE(w.changed(200));

  dir.write("list.txt", "b.example\n");
  EXPECT_TRUE(w.changed(1000));
  EXPECT_FALSE(w.changed(50));  // the events were consumed

  const std::string replacement = dir.write("list.txt.new", "c.example\n");
  std::filesystem::rename(replacement, list);  // how deploy tools replace files
  EXPECT_TRUE(w.changed(1000));

  std::filesystem::remove(config);
  EXPECT_TRUE(w.changed(1000));
}

TEST(FileWatcher, AFolderThatCannotBeWatchedIsAnError) {
  auto watcher = FileWatcher::create({"/no/such/folder/list.txt"});
  ASSERT_FALSE(watcher);
  EXPECT_NE(watcher.error().find("/no/such/folder"), std::string::npos) << watcher.error();
}

}  // namespace
}  // namespace takedown::control
