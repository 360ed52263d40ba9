// Snapshot::load_file on what an operator might point `load` at by mistake: a FIFO (it used to
// block the main lcore until a writer came), a directory (it said "out of memory"), a sparse
// gigabyte (it was read whole before the header was looked at), a tiny file. Each is refused at
// once with its own reason.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>

#include "filters/snapshot/snapshot.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::filters {
namespace {

using Clock = std::chrono::steady_clock;

// load_file(path)'s error; ends the process if the call has not returned within 10 s.
std::string refusal(const std::string& path, Clock::duration* took = nullptr) {
  const auto start = Clock::now();
  // The worker thread reduces the result to its error: "" when the file loaded.
  auto done = std::async(std::launch::async, [&]() -> std::string {
    auto loaded = Snapshot::load_file(path);
    return loaded ? std::string() : loaded.error();
  });
  if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    std::fprintf(stderr, "Snapshot::load_file(%s) did not return within 10 s\n", path.c_str());
    std::_Exit(1);
  }
  std::string error = done.get();
  if (took != nullptr) *took = Clock::now() - start;
  EXPECT_FALSE(error.empty()) << path << " loaded";
  return error;
}

TEST(SnapshotFile, AFifoIsRefusedWithoutWaitingForAWriter) {
  testing::TempDir dir;
  const std::string fifo = dir.file("pipe.snap");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Clock::duration took{};
  const std::string why = refusal(fifo, &took);
  EXPECT_NE(why.find("it is a FIFO, not a regular file"), std::string::npos) << why;
  EXPECT_LT(took, std::chrono::milliseconds(500));
}

TEST(SnapshotFile, ADirectoryIsRefusedAsADirectory) {
  testing::TempDir dir;
  const std::string why = refusal(dir.path());
  EXPECT_NE(why.find("it is a directory"), std::string::npos) << why;
  EXPECT_EQ(why.find("memory"), std::string::npos) << why;
}

TEST(SnapshotFile, ASparseGigabyteIsRefusedByItsHeaderAtOnce) {
  testing::TempDir dir;
  const std::string path = dir.file("sparse.snap");
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 1LL << 30), 0);
  ::close(fd);
  Clock::duration took{};
  const std::string why = refusal(path, &took);
  EXPECT_NE(why.find("bad magic"), std::string::npos) << why;
  EXPECT_LT(took, std::chrono::milliseconds(500));  // it used to read the whole gigabyte first
}

TEST(SnapshotFile, ShortAndMissingFilesSayWhat) {
  testing::TempDir dir;
  EXPECT_NE(refusal(dir.write("short.snap", "TKDN")).find("shorter than the header"),
            std::string::npos);
  EXPECT_NE(refusal(dir.file("absent.snap")).find("cannot open snapshot"), std::string::npos);
}

}  // namespace
}  // namespace takedown::filters
