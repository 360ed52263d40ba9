// Snapshot round trip, and every kind of damage a file can suffer is refused with a reason.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>

#include "control/compile/snapshot_compiler.hpp"
#include "filters/snapshot/snapshot.hpp"
#include "tests/support/compiled_snapshot.hpp"

namespace takedown::testing {
namespace {

namespace fmt = filters::snapshot_format;

// The offset and size of section `id` in a snapshot file image.
std::pair<std::uint64_t, std::uint64_t> section_of(const std::vector<std::uint8_t>& bytes,
                                                   fmt::SectionId id) {
  fmt::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  for (std::uint32_t i = 0; i < header.section_count; ++i) {
    fmt::SectionEntry e;
    std::memcpy(&e, bytes.data() + sizeof(header) + i * sizeof(e), sizeof(e));
    if (e.id == static_cast<std::uint32_t>(id)) return {e.offset, e.size};
  }
  return {0, 0};
}

// Writes a valid checksum over a crafted file image, so only the verifier's checks can refuse it.
void reseal(std::vector<std::uint8_t>& bytes) {
  fmt::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  header.checksum = fmt::file_checksum(bytes);
  std::memcpy(bytes.data(), &header, sizeof(header));
}

// A small snapshot with every section present: domains, an allow list, regex and url rules.
std::vector<std::uint8_t> small_snapshot_bytes(const TempDir& dir) {
  dir.write("block.txt", "example.com\nbad.org\n");
  dir.write("allow.txt", "ok.example.com\n");
  dir.write("block.re", "^ads[0-9]+\\.\n");
  dir.write("urls.txt", "http://evil.com/phish\n");
  auto config = schema::parse_config(R"(lists:
  - {name: block, format: domains, path: block.txt}
  - {name: allow, format: domains, path: allow.txt, action: allow}
  - {name: regex, format: regex, path: block.re}
  - {name: urls, format: urls, path: urls.txt}
)",
                                     dir.file("config.yaml"));
  EXPECT_TRUE(config);
  auto compiled = control::compile_snapshot(*config);
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error());
  return compiled->snapshot;
}

TEST(Snapshot, RoundTripsThroughAFile) {
  TempDir dir;
  const auto bytes = small_snapshot_bytes(dir);
  ASSERT_TRUE(control::write_file_atomically(dir.file("s.snap"), bytes));
  auto snapshot = filters::Snapshot::load_file(dir.file("s.snap"));
  ASSERT_TRUE(snapshot) << snapshot.error();
  EXPECT_EQ((*snapshot)->file_size(), bytes.size());
  EXPECT_EQ((*snapshot)->meta().domain_count, 3u);
  EXPECT_EQ((*snapshot)->lists().size(), 4u);
  EXPECT_EQ((*snapshot)->list_name(2), "regex");
  EXPECT_NE((*snapshot)->regex_db(), nullptr);
  EXPECT_NE((*snapshot)->url_db(), nullptr);
  Judge judge(**snapshot);
  EXPECT_EQ(judge.explain("www.example.com"), "block block:1");
  EXPECT_EQ(judge.explain("ok.example.com"), "allow allow:1");
  EXPECT_EQ(judge.explain("ads7.x.net"), "block regex:1");
  EXPECT_EQ(judge.explain("evil.com", "/phish"), "block urls:1");
  EXPECT_EQ(judge.explain("good.net"), "pass");
}

TEST(Snapshot, FlippingAnySingleByteIsDetected) {
  TempDir dir;
  auto bytes = small_snapshot_bytes(dir);
  ASSERT_TRUE(filters::Snapshot::load_bytes(bytes, "intact"));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] ^= 0x01;
    auto loaded = filters::Snapshot::load_bytes(bytes, "flipped");
    EXPECT_FALSE(loaded) << "flip at byte " << i << " of " << bytes.size() << " was not detected";
    bytes[i] ^= 0x01;
  }
}

TEST(Snapshot, RandomFlipsInTheFullTakedownSnapshotAreDetected) {
  auto config = schema::load_config(source_path("conf/demo.yaml"));
  ASSERT_TRUE(config) << config.error();
  auto compiled = control::compile_snapshot(*config);
  ASSERT_TRUE(compiled) << compiled.error();
  auto bytes = compiled->snapshot;
  std::mt19937_64 rng(7);
  for (int n = 0; n < 200; ++n) {
    const std::size_t i = rng() % bytes.size();
    const auto bit = static_cast<std::uint8_t>(1u << (rng() % 8));
    bytes[i] ^= bit;
    EXPECT_FALSE(filters::Snapshot::load_bytes(bytes, "flipped")) << "flip at " << i;
    bytes[i] ^= bit;
  }
}

TEST(Snapshot, TruncatedPaddedAndForeignFilesAreRefusedWithAReason) {
  TempDir dir;
  auto bytes = small_snapshot_bytes(dir);
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{10}, std::size_t{64}, bytes.size() / 2, bytes.size() - 1}) {
    std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep));
    auto loaded = filters::Snapshot::load_bytes(cut, "cut");
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("cut: not a valid snapshot"), std::string::npos)
        << loaded.error();
  }
  auto padded = bytes;
  padded.push_back(0);
  EXPECT_NE(filters::Snapshot::load_bytes(padded, "p").error().find("truncated or padded"),
            std::string::npos);

  const std::string text =
      "lists:\n  - {name: a-list-long-enough-for-a-header, format: domains, path: x.txt}\n";
  auto foreign = filters::Snapshot::load_bytes(
      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, "yaml");
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().find("bad magic"), std::string::npos) << foreign.error();

  auto missing = filters::Snapshot::load_file(dir.file("absent.snap"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("absent.snap: cannot open snapshot"), std::string::npos);
}

TEST(Snapshot, AnotherFormatVersionIsRefusedByName) {
  TempDir dir;
  auto bytes = small_snapshot_bytes(dir);
  fmt::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  header.version = fmt::kVersion + 1;
  std::memcpy(bytes.data(), &header, sizeof(header));
  header.checksum = fmt::file_checksum(bytes);  // a well-formed file of a future version
  std::memcpy(bytes.data(), &header, sizeof(header));
  auto loaded = filters::Snapshot::load_bytes(bytes, "future");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("format version " + std::to_string(fmt::kVersion + 1) +
                                ", this build reads version " + std::to_string(fmt::kVersion)),
            std::string::npos)
      << loaded.error();
}

TEST(Snapshot, ASlotPointingOutsideTheArenaIsRefusedEvenWithAValidChecksum) {
  TempDir dir;
  auto bytes = small_snapshot_bytes(dir);
  const auto [slots_offset, slots_size] = section_of(bytes, fmt::SectionId::Slots);
  ASSERT_GT(slots_size, 0u);
  for (std::uint64_t at = slots_offset; at < slots_offset + slots_size;
       at += sizeof(filters::SuffixSlot)) {
    filters::SuffixSlot slot;
    std::memcpy(&slot, bytes.data() + at, sizeof(slot));
    if (slot.empty()) continue;
    slot.name_ref = (0x3FFFFFF0u << 2) | 3u;
    std::memcpy(bytes.data() + at, &slot, sizeof(slot));
    break;
  }
  reseal(bytes);
  auto loaded = filters::Snapshot::load_bytes(bytes, "crafted");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("points outside the snapshot"), std::string::npos)
      << loaded.error();
}

// The matcher indexes its candidates by a policy's action and importance: an important log
// policy, or an importance other than 0 or 1, must never load, whatever the checksum says.
TEST(Snapshot, AnImportantLogPolicyIsRefusedEvenWithAValidChecksum) {
  TempDir dir;
  for (const auto& [action, important] : {std::pair{filters::Action::Log, std::uint8_t{1}},
                                          std::pair{filters::Action::Block, std::uint8_t{2}}}) {
    auto bytes = small_snapshot_bytes(dir);
    const auto [offset, size] = section_of(bytes, fmt::SectionId::Policies);
    ASSERT_GE(size, sizeof(filters::Policy));
    filters::Policy policy;
    std::memcpy(&policy, bytes.data() + offset, sizeof(policy));
    policy.action = action;
    policy.important = important;
    std::memcpy(bytes.data() + offset, &policy, sizeof(policy));
    reseal(bytes);
    auto loaded = filters::Snapshot::load_bytes(bytes, "crafted");
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("a policy holds values out of range"), std::string::npos)
        << loaded.error();
  }
}

}  // namespace
}  // namespace takedown::testing
