// compile_snapshot(), the one compile path: its limits and refusals are file:line errors, never
// exceptions, and what it skips it says.
#include "control/compile/snapshot_compiler.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/compiled_snapshot.hpp"

namespace takedown::testing {
namespace {

// An RPZ zone of `owners` local-data owners; `distinct` gives each its own address.
std::string local_data_zone(std::size_t owners, bool distinct) {
  std::string zone =
      "$TTL 60\n@ SOA ns.rpz.example. admin.rpz.example. 1 3600 600 86400 60\n"
      "@ NS ns.rpz.example.\n";
  for (std::size_t i = 0; i < owners; ++i) {
    const std::size_t a = distinct ? i : 1;
    zone += "owner" + std::to_string(i) + ".example A 10." + std::to_string(a >> 16 & 255) + "." +
            std::to_string(a >> 8 & 255) + "." + std::to_string(a & 255) + "\n";
  }
  return zone;
}

Result<control::CompileOutput> compile(const TempDir& dir, const std::string& yaml) {
  auto config = schema::parse_config(yaml, dir.file("config.yaml"));
  if (!config) return make_error(config.error());
  return control::compile_snapshot(*config);
}

// 70,000 owners all sinkholed to one address share one answer: the zone compiles (it used to end
// the process with an uncaught std::length_error past 65,534 owners).
TEST(SnapshotCompiler, ManyLocalDataOwnersWithOneAnswerCompile) {
  TempDir dir;
  dir.write("zone.rpz", local_data_zone(70000, false));
  auto snapshot = compile_yaml(dir, "lists: [{name: rpz, format: rpz, path: zone.rpz}]");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("owner0.example"), "block rpz:4");
  EXPECT_EQ(judge.explain("owner69999.example"), "block rpz:70003");
  EXPECT_EQ(judge.policy("owner69999.example").dns, filters::DnsResponse::Sinkhole);
  EXPECT_EQ(judge.policy("owner69999.example").a[0][3], 1);
}

// More distinct answers than a snapshot can name: a file:line error saying what to change.
TEST(SnapshotCompiler, TooManyDistinctAnswersIsAFileLineError) {
  TempDir dir;
  dir.write("zone.rpz", local_data_zone(70000, true));
  auto compiled = compile(dir, "lists: [{name: rpz, format: rpz, path: zone.rpz}]");
  ASSERT_FALSE(compiled);
  // The list's own policy is the first; the 65,535th owner (line 3 + 65,535) needs one more.
  EXPECT_NE(compiled.error().find(dir.file("zone.rpz") + ":65538: list 'rpz'"), std::string::npos)
      << compiled.error();
  EXPECT_NE(compiled.error().find("at most 65535 distinct answers"), std::string::npos);
}

TEST(SnapshotCompiler, APatternHyperscanRejectsFailsTheCompile) {
  TempDir dir;
  dir.write("block.txt", "example.com\n");
  dir.write("allow.txt", "^good\\.example$\n(unclosed\n");
  auto compiled = compile(dir,
                          "lists: [{name: block, format: domains, path: block.txt},\n"
                          "        {name: allow, format: regex, path: allow.txt, action: allow}]");
  ASSERT_FALSE(compiled);
  EXPECT_NE(compiled.error().find("patterns that Hyperscan rejects"), std::string::npos);
  EXPECT_NE(compiled.error().find(dir.file("allow.txt") + ":2: "), std::string::npos)
      << compiled.error();
}

TEST(SnapshotCompiler, SkippedLinesAreSummarisedPerList) {
  TempDir dir;
  dir.write("block.txt", "example.com\nbad..name\nok.example\nx..y\n");
  auto compiled = compile(dir, "lists: [{name: block, format: domains, path: block.txt}]");
  ASSERT_TRUE(compiled) << compiled.error();
  const auto lines = control::skip_summary(*compiled);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(
      lines[0].find("list 'block': 2 entries skipped, first: " + dir.file("block.txt") + ":2: "),
      std::string::npos)
      << lines[0];
}

TEST(SnapshotCompiler, AMissingOrEmptyListNamesTheFile) {
  TempDir dir;
  auto missing = compile(dir, "lists: [{name: gone, format: domains, path: gone.txt}]");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find(dir.file("gone.txt")), std::string::npos) << missing.error();
  dir.write("empty.txt", "# nothing\n");
  auto empty = compile(dir, "lists: [{name: empty, format: domains, path: empty.txt}]");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("list 'empty' has no valid entry"), std::string::npos);
}

}  // namespace
}  // namespace takedown::testing
