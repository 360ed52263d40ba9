// takedownctl check (-c CONFIG | -s SNAPSHOT) [--json] NAME... | -
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "control/cli/cli_output.hpp"
#include "control/cli/command_line.hpp"
#include "control/cli/commands.hpp"
#include "control/cli/snapshot_source.hpp"
#include "control/cli/verdict_explainer.hpp"
#include "control/lists/list_name.hpp"
#include "control/schema/json_writer.hpp"
#include "filters/match/matcher.hpp"

namespace takedown::control {
namespace {

constexpr const char* kHelp =
    "Usage: takedownctl check (-c CONFIG | -s SNAPSHOT) [--json | --explain] NAME...\n"
    "       takedownctl check (-c CONFIG | -s SNAPSHOT) [--json] -      (names from stdin, one per "
    "line;\n"
    "       blank lines are skipped)\n"
    "Prints one line per name: name<TAB>verdict<TAB>list<TAB>source:line\n"
    "  verdict: block, allow, pass, log (matched a log-only list) or invalid (not a valid name)\n"
    "  list and source:line are '-' when no rule matched.\n"
    "With --json, one JSON object per line instead, with the match kind and DNS answer too.\n"
    "With --explain, each verdict taken apart: the normalised name, every suffix tried with the\n"
    "rules listed for it (list, file:line, what each covers, whether it applies), and why the\n"
    "deciding rule won.\n"
    "With -c the lists are compiled in memory first; -s reads a compiled snapshot.\n\n";

class Checker {
 public:
  Checker(const filters::Snapshot& snapshot, filters::MatchScratch& scratch, bool json)
      : snapshot_(snapshot), matcher_(snapshot), scratch_(scratch), json_(json) {}

  void check(std::string_view input) {
    filters::Verdict verdict;
    verdict.decision = filters::Decision::Invalid;
    const filters::NameStatus status = normalise_typed_name(input, name_, converted_);
    if (status == filters::NameStatus::Ok) verdict = matcher_.match(name_, scratch_);
    json_ ? write_json(input, verdict) : write_text(input, verdict);
    out_.maybe_flush();
  }

 private:
  void write_text(std::string_view input, const filters::Verdict& v) {
    std::string& out = out_.buffer();
    out.append(input);
    out += '\t';
    out += to_string(v.decision);
    if (v.decision == filters::Decision::Pass || v.decision == filters::Decision::Invalid) {
      out += "\t-\t-\n";
      return;
    }
    out += '\t';
    out += snapshot_.list_name(v.rule.list);
    out += '\t';
    out += snapshot_.list_source(v.rule.list);
    out += ':';
    out += std::to_string(v.rule.line);
    out += '\n';
  }

  void write_json(std::string_view input, const filters::Verdict& v) {
    std::string& out = out_.buffer();
    out += "{\"name\":";
    schema::append_json_string(out, input);
    out += ",\"verdict\":\"";
    out += to_string(v.decision);
    out += '"';
    if (v.decision == filters::Decision::Invalid || v.decision == filters::Decision::Pass) {
      out += ",\"list\":null,\"source\":null,\"line\":null}\n";
      return;
    }
    out += ",\"normalized\":";
    schema::append_json_string(out, name_.view());
    out += ",\"list\":";
    schema::append_json_string(out, snapshot_.list_name(v.rule.list));
    out += ",\"source\":";
    schema::append_json_string(out, snapshot_.list_source(v.rule.list));
    out += ",\"line\":" + std::to_string(v.rule.line);
    out += ",\"match\":\"";
    out += to_string(v.kind);
    out += '"';
    if (v.kind == filters::MatchKind::Exact || v.kind == filters::MatchKind::Suffix) {
      out += ",\"matched\":";
      schema::append_json_string(out, name_.suffix(v.matched_label));
    }
    const filters::Policy& p = snapshot_.policies()[v.rule.policy];
    out += ",\"dns\":\"";
    out += to_string(p.dns);
    out += "\"}\n";
  }

  const filters::Snapshot& snapshot_;
  filters::Matcher matcher_;
  filters::MatchScratch& scratch_;
  bool json_;
  filters::DomainName name_;
  std::string converted_;
  BufferedStdout out_;
};

}  // namespace

int run_check_command(int argc, char** argv) {
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, "csjxh", kHelp, cl); done >= 0) return done;
  const std::string& config_path = cl.config;
  const std::string& snapshot_path = cl.snapshot;
  const bool json = cl.json;
  const int optind = cl.first_operand;
  if (config_path.empty() == snapshot_path.empty() || optind == argc) {
    std::fputs("takedownctl check: needs one of -c CONFIG or -s SNAPSHOT, and names (or -)\n",
               stderr);
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }

  auto source = open_snapshot(config_path, snapshot_path);
  if (!source) {
    std::fprintf(stderr, "takedownctl: %s\n", source.error().c_str());
    return kExitFailed;
  }
  const filters::Snapshot& snapshot = *source->snapshot;
  filters::MatchScratch scratch;
  if (auto ok = scratch.prepare(snapshot); !ok) {
    std::fprintf(stderr, "takedownctl: %s\n", ok.error().c_str());
    return kExitFailed;
  }
  if (cl.explain) {
    const filters::Matcher matcher(snapshot);
    for (int i = optind; i < argc; ++i) {
      std::fputs(explain_verdict(argv[i], snapshot, matcher, scratch).c_str(), stdout);
      if (i + 1 < argc) std::fputc('\n', stdout);
    }
    return kExitOk;
  }
  Checker checker(snapshot, scratch, json);
  for (int i = optind; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg != "-") {
      checker.check(arg);
      continue;
    }
    std::ios::sync_with_stdio(false);
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      // A blank line in a file of names is layout, not a name to judge.
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      checker.check(line);
    }
  }
  return kExitOk;
}

}  // namespace takedown::control
