// takedownctl as an operator runs it: the real binary, real configs, output and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/support/test_support.hpp"

namespace takedown::testing {
namespace {

struct CliRun {
  int code;
  std::string out;
};

// Runs takedownctl with `args` (shell words); stderr is merged into the output when `with_stderr`.
CliRun run(const std::string& args, bool with_stderr = false, const std::string& stdin_file = "") {
  std::string command = std::string(TAKEDOWN_BINARY_DIR) + "/takedownctl " + args;
  if (!stdin_file.empty()) command += " < " + stdin_file;
  command += with_stderr ? " 2>&1" : " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  CliRun result{-1, {}};
  char buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;)
    result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

const std::string kDemo = source_path("conf/demo.yaml");

TEST(Takedownctl, CheckPrintsOneTabSeparatedLinePerName) {
  const CliRun r =
      run("check -c " + kDemo + " 0-bitcoin.com WWW.0-Bitcoin.Com. google.com 'bad name'");
  EXPECT_EQ(r.code, 0);
  const std::string lists = source_path("conf/lists/takedown-66k.txt");
  EXPECT_EQ(r.out, "0-bitcoin.com\tblock\ttakedown-66k\t" + lists +
                       ":1\n"
                       "WWW.0-Bitcoin.Com.\tblock\ttakedown-66k\t" +
                       lists +
                       ":1\n"
                       "google.com\tpass\t-\t-\n"
                       "bad name\tinvalid\t-\t-\n");
}

TEST(Takedownctl, ExplainShowsEverySuffixTheRulesAndWhyTheWinnerWon) {
  TempDir dir;
  dir.write("block.txt", "scam.example\n*.deep.example\n");
  dir.write("allow.txt", "ok.scam.example\n");
  const std::string config =
      dir.write("t.yaml",
                "lists:\n  - {name: blk, format: domains, path: block.txt}\n"
                "  - {name: ok, format: domains, path: allow.txt, action: allow}\n");
  const CliRun r = run("check --explain -c " + config + " www.ok.scam.example deep.example");
  EXPECT_EQ(r.code, 0);
  const std::string block = dir.file("block.txt");
  const std::string allow = dir.file("allow.txt");
  EXPECT_EQ(
      r.out,
      "name        www.ok.scam.example\n"
      "normalised  www.ok.scam.example\n"
      "suffixes    most specific first\n"
      "  www.ok.scam.example\n"
      "      not listed (the bloom filter rules it out)\n"
      "  ok.scam.example\n"
      "      allow by list ok (" +
          allow +
          ":1), covers the name and names below it: applies\n"
          "  scam.example\n"
          "      block by list blk (" +
          block +
          ":1), covers the name and names below it: applies\n"
          "  example\n"
          "      not listed (the bloom filter rules it out)\n"
          "patterns    0 regex and 0 url rules (url rules only for HTTP requests)\n"
          "verdict     allow: allow by list ok (" +
          allow +
          ":1), suffix match\n"
          "why         an allow list of the config (or an $important exception) matched: it wins "
          "over every block and log rule\n"
          "\n"
          "name        deep.example\n"
          "normalised  deep.example\n"
          "suffixes    most specific first\n"
          "  deep.example\n"
          "      block by list blk (" +
          block +
          ":2), covers names below it only (*.): does not apply here\n"
          "  example\n"
          "      not listed (the bloom filter rules it out)\n"
          "patterns    0 regex and 0 url rules (url rules only for HTTP requests)\n"
          "verdict     pass\n"
          "why         no rule applies\n");
}

// An $important block that beats an exception says so, in the rule and in the reason.
TEST(Takedownctl, ExplainNamesAnImportantBlockAndWhyItBeatsTheException) {
  TempDir dir;
  const std::string list = source_path("tests/data/lists/adblock-important-badfilter.txt");
  const std::string config =
      dir.write("a.yaml", "lists: [{name: ab, format: adblock, path: " + list + "}]\n");
  const CliRun r = run("check --explain -c " + config + " cdn.004240331.top");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("      allow by list ab (" + list +
                       ":7), covers the name and names below "
                       "it: applies\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("verdict     block: block ($important) by list ab (" + list +
                       ":6), suffix match\nwhy         an $important block rule matched: it "
                       "outranks the exceptions of block lists"),
            std::string::npos)
      << r.out;
}

TEST(Takedownctl, CompileReportsListsTimesAndSizeThenCheckReadsTheSnapshot) {
  TempDir dir;
  const CliRun compiled = run("compile -c " + kDemo + " -o " + dir.file("demo.snap"));
  ASSERT_EQ(compiled.code, 0) << compiled.out;
  EXPECT_NE(
      compiled.out.find("list takedown-66k         domains     66000 loaded        0 skipped"),
      std::string::npos)
      << compiled.out;
  EXPECT_NE(compiled.out.find("compiled 66000 domains"), std::string::npos);
  EXPECT_NE(compiled.out.find("compile time "), std::string::npos);
  EXPECT_NE(compiled.out.find("bytes per domain"), std::string::npos);

  // Blank lines (empty, CRLF, spaces) are skipped, not judged "invalid".
  dir.write("names.txt", "www.0-bitcoin.com\r\nexample.org\n\n\r\n \t\nxn--bcher-kva.example\n");
  const CliRun json =
      run("check --json -s " + dir.file("demo.snap") + " -", false, dir.file("names.txt"));
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(
      json.out,
      "{\"name\":\"www.0-bitcoin.com\",\"verdict\":\"block\",\"normalized\":\"www.0-bitcoin.com\","
      "\"list\":\"takedown-66k\",\"source\":\"" +
          source_path("conf/lists/takedown-66k.txt") +
          "\",\"line\":1,\"match\":\"suffix\",\"matched\":\"0-bitcoin.com\",\"dns\":\"nxdomain\"}\n"
          "{\"name\":\"example.org\",\"verdict\":\"pass\",\"list\":null,\"source\":null,\"line\":"
          "null}\n"
          "{\"name\":\"xn--bcher-kva.example\",\"verdict\":\"pass\",\"list\":null,\"source\":null,"
          "\"line\":null}\n");
}

// The real hosts excerpt skips 6 boilerplate lines: compile names the first 5 and counts the
// reason; --all-skips names all 6 in line order (and is refused by commands it does not apply to).
TEST(Takedownctl, AllSkipsListsEverySkippedLineWithItsReason) {
  TempDir dir;
  const std::string hosts = source_path("tests/data/lists/stevenblack-hosts-head.txt");
  const std::string config =
      dir.write("h.yaml", "lists: [{name: sb, format: hosts, path: " + hosts + "}]\n");
  const std::string reason = ": hosts-file boilerplate (localhost, broadcasthost, ip6-*)\n";
  const CliRun first = run("compile -c " + config + " -o " + dir.file("h.snap"));
  ASSERT_EQ(first.code, 0) << first.out;
  EXPECT_NE(first.out.find("    " + hosts + ":16" + reason), std::string::npos) << first.out;
  EXPECT_EQ(first.out.find(hosts + ":17:"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("    6 x hosts-file boilerplate"), std::string::npos) << first.out;

  const CliRun all = run("compile --all-skips -c " + config + " -o " + dir.file("h.snap"));
  ASSERT_EQ(all.code, 0) << all.out;
  std::string expected;
  for (int line = 12; line <= 17; ++line)
    expected += "    " + hosts + ":" + std::to_string(line) + reason;
  EXPECT_NE(all.out.find(expected + "compiled 39 domains"), std::string::npos) << all.out;
  EXPECT_EQ(all.out.find(" x hosts-file"), std::string::npos) << all.out;

  const CliRun refused = run("check --all-skips -c " + config + " a.example", true);
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.out.find("option --all-skips does not apply to this command"),
            std::string::npos);
  EXPECT_NE(run("compile --help").out.find("--all-skips"), std::string::npos);
}

// Warnings are reported like skips: the first 5 by default, with the count of the reason, and all
// of them with --all-skips.
TEST(Takedownctl, CompileReportsWarningsAndAllSkipsListsThemAll) {
  TempDir dir;
  const std::string list = source_path("tests/data/lists/over-broad-adblock.txt");
  const std::string config =
      dir.write("w.yaml", "lists: [{name: tlds, format: adblock, path: " + list + "}]\n");
  const std::string suffix =
      ": warning: over-broad: a public suffix, every domain registered under it is blocked";
  const CliRun first = run("compile -c " + config + " -o " + dir.file("w.snap"));
  ASSERT_EQ(first.code, 0) << first.out;
  EXPECT_NE(first.out.find("    " + list + ":10" + suffix + " (github.io)\n"), std::string::npos)
      << first.out;
  EXPECT_EQ(first.out.find(list + ":11:"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("    4 x warning: over-broad: a public suffix"), std::string::npos)
      << first.out;
  const CliRun all = run("compile --all-skips -c " + config + " -o " + dir.file("w.snap"));
  ASSERT_EQ(all.code, 0) << all.out;
  EXPECT_NE(all.out.find("    " + list + ":10" + suffix + " (github.io)\n    " + list + ":11" +
                         suffix + "\n    " + list + ":13" + suffix + "\ncompiled 11 domains"),
            std::string::npos)
      << all.out;
}

TEST(Takedownctl, ExitCodesAndMessagesForEveryFailure) {
  TempDir dir;
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("frobnicate").code, 2);
  EXPECT_EQ(run("check google.com").code, 2);  // no config
  const CliRun wrong_option = run("compile -s x.snap -o y.snap", true);
  EXPECT_EQ(wrong_option.code, 2);
  EXPECT_NE(wrong_option.out.find("option -s does not apply to this command"), std::string::npos);
  const CliRun help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Exit codes:"), std::string::npos);
  EXPECT_EQ(run("check --help").code, 0);

  const CliRun missing_config = run("check -c " + dir.file("none.yaml") + " a.com", true);
  EXPECT_EQ(missing_config.code, 1);
  EXPECT_NE(missing_config.out.find("none.yaml: cannot open config"), std::string::npos);

  dir.write("c.yaml", "lists: [{name: gone, format: domains, path: gone.txt}]\n");
  const CliRun missing_list =
      run("compile -c " + dir.file("c.yaml") + " -o " + dir.file("x.snap"), true);
  EXPECT_EQ(missing_list.code, 1);
  EXPECT_NE(missing_list.out.find(dir.file("gone.txt") + ": cannot open list 'gone'"),
            std::string::npos);

  dir.write("empty.txt", "# nothing\nnot a domain\n");
  dir.write("e.yaml", "lists: [{name: empty, format: domains, path: empty.txt}]\n");
  const CliRun empty = run("compile -c " + dir.file("e.yaml") + " -o " + dir.file("x.snap"), true);
  EXPECT_EQ(empty.code, 1);
  EXPECT_NE(empty.out.find("list 'empty' has no valid entry (2 lines, 1 skipped)"),
            std::string::npos)
      << empty.out;
  EXPECT_NE(empty.out.find(dir.file("empty.txt") + ":2: expected one domain per line"),
            std::string::npos);

  dir.write("bad.re", "^good\\.com$\n(unclosed\n");
  dir.write("r.yaml", "lists: [{name: re, format: regex, path: bad.re}]\n");
  const CliRun bad_regex =
      run("compile -c " + dir.file("r.yaml") + " -o " + dir.file("r.snap"), true);
  // One rule for every compile: a rule Hyperscan rejects would be silently missing, so nothing is
  // written and the file:line is named.
  EXPECT_EQ(bad_regex.code, 1) << bad_regex.out;
  EXPECT_NE(bad_regex.out.find(dir.file("bad.re") + ":2: invalid regex"), std::string::npos)
      << bad_regex.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.snap")));

  dir.write("garbage.snap",
            "not a snapshot at all, just text that is long enough for a header......");
  const CliRun corrupt = run("check -s " + dir.file("garbage.snap") + " a.com", true);
  EXPECT_EQ(corrupt.code, 1);
  EXPECT_NE(corrupt.out.find("garbage.snap: not a valid snapshot: bad magic"), std::string::npos)
      << corrupt.out;
}

TEST(Takedownctl, CheckReadsAMillionNamesFromStdin) {
  TempDir dir;
  ASSERT_EQ(run("compile -c " + kDemo + " -o " + dir.file("demo.snap")).code, 0);
  {
    std::ofstream names(dir.file("million.txt"));
    for (int i = 0; i < 1'000'000; ++i)
      names << "host" << i << (i % 10 == 0 ? ".0-bitcoin.com\n" : ".example.org\n");
  }
  const CliRun r = run("check -s " + dir.file("demo.snap") + " - < " + dir.file("million.txt") +
                       " | awk -F'\\t' '{n[$2]++} END {print n[\"block\"], n[\"pass\"]}'");
  EXPECT_EQ(r.out, "100000 900000\n");
}

}  // namespace
}  // namespace takedown::testing
