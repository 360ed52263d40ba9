// Helpers shared by the tests: a scratch folder per test, and compiling a YAML config (with its
// list files) straight into a loaded Snapshot through the same code path takedownctl uses.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "control/compile/snapshot_compiler.hpp"
#include "control/config/config.hpp"
#include "filters/match/matcher.hpp"
#include "filters/snapshot/snapshot.hpp"

namespace takedown::testing {

inline std::string source_path(const std::string& relative) {
  return std::string(TAKEDOWN_SOURCE_DIR) + "/" + relative;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "takedown-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(file(name), std::ios::binary) << bytes;
    return file(name);
  }

 private:
  std::string path_;
};

// Compiles `yaml` (written as config.yaml in `dir`) into a verified snapshot; fails the test on
// error.
inline std::unique_ptr<filters::Snapshot> compile_yaml(const TempDir& dir,
                                                       const std::string& yaml) {
  auto config = control::parse_config(yaml, dir.file("config.yaml"));
  if (!config) {
    ADD_FAILURE() << config.error();
    return nullptr;
  }
  auto compiled = control::compile_snapshot(*config);
  if (!compiled) {
    ADD_FAILURE() << compiled.error();
    return nullptr;
  }
  auto snapshot = filters::Snapshot::load_bytes(compiled->snapshot, "test");
  if (!snapshot) {
    ADD_FAILURE() << snapshot.error();
    return nullptr;
  }
  return std::move(snapshot).value();
}

// Matches names against one snapshot, with its own scratch.
class Judge {
 public:
  explicit Judge(const filters::Snapshot& snapshot) : snapshot_(snapshot), matcher_(snapshot) {
    auto ok = scratch_.prepare(snapshot);
    EXPECT_TRUE(ok) << (ok ? "" : ok.error());
  }
  filters::Verdict operator()(std::string_view text, std::string_view path = {}) {
    filters::DomainName name;
    if (name.assign(text) != filters::NameStatus::Ok) {
      filters::Verdict v;
      v.decision = filters::Decision::Invalid;
      return v;
    }
    return path.empty() ? matcher_.match(name, scratch_)
                        : matcher_.match_http(name, path, scratch_);
  }
  // "block takedown:12", "pass", "allow allow:3": compact for assertions.
  std::string explain(std::string_view text, std::string_view path = {}) {
    const filters::Verdict v = (*this)(text, path);
    std::string out(to_string(v.decision));
    if (v.decision == filters::Decision::Pass || v.decision == filters::Decision::Invalid)
      return out;
    out += " " + std::string(snapshot_.list_name(v.rule.list)) + ":" + std::to_string(v.rule.line);
    return out;
  }
  const filters::Policy& policy(std::string_view text, std::string_view path = {}) {
    return snapshot_.policies()[(*this)(text, path).rule.policy];
  }

 private:
  const filters::Snapshot& snapshot_;
  filters::Matcher matcher_;
  filters::MatchScratch scratch_;
};

}  // namespace takedown::testing
