// The same list in every format gets the same verdicts: the Scam-Blocklist's adblock head (real),
// written in each format's published syntax (dnsmasq local=/d/, unbound always_nxdomain, hosts
// 0.0.0.0, domains, dnscrypt-proxy wildcard *.d, an RPZ zone of d and *.d as hagezi publishes
// them), is compiled once per format, and every entry, a name below it and a benign top-50k name
// must get the same decision, deciding suffix and DNS answer in all of them. The real dnsmasq and
// unbound heads of the same list (another day's entries) must agree with each other too.
// TAKEDOWN_AGREEMENT_LIST=FILE runs it on another adblock list (the full list, for a measurement).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "control/lists/list_loader.hpp"
#include "tests/support/compiled_snapshot.hpp"

namespace takedown::testing {
namespace {

std::vector<std::string> entries_of(control::ListFormat format, const std::string& path) {
  auto parsed = control::load_list(format, path, "source");
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error());
  std::vector<std::string> names;
  if (!parsed) return names;
  for (const control::ListEntry& e : parsed->entries) names.push_back(e.text);
  return names;
}

std::vector<std::string> benign_names() {
  std::ifstream in(source_path("tests/data/top-50k.txt"));
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.push_back(line);
  return names;
}

// One format's rendering of the list: its config fragment and the file's text.
struct Rendering {
  std::string format;
  std::string extra;  // more keys of the list's config
  std::string text;
};

std::map<std::string, Rendering> render(const std::vector<std::string>& names,
                                        const std::string& adblock_file) {
  std::map<std::string, Rendering> out;
  std::string dnsmasq, unbound = "server:\n", hosts, domains, wildcard;
  std::string rpz =
      "$TTL 300\n@ SOA localhost. root.localhost. 1 3600 600 86400 300\n NS localhost.\n";
  for (const std::string& d : names) {
    dnsmasq += "local=/" + d + "/\n";
    unbound += "local-zone: \"" + d + ".\" always_nxdomain\n";
    hosts += "0.0.0.0 " + d + "\n";
    domains += d + "\n";
    wildcard += "*." + d + "\n";
    rpz += d + " CNAME .\n*." + d + " CNAME .\n";
  }
  std::ifstream in(adblock_file, std::ios::binary);
  out["adblock"] = {"adblock", "", {std::istreambuf_iterator<char>(in), {}}};
  out["dnsmasq"] = {"dnsmasq", "", dnsmasq};
  out["unbound"] = {"unbound", "", unbound};
  // A hosts file maps exactly its names (the hosts default); for names below, it must be told.
  out["hosts"] = {"hosts", ", match: subdomains", hosts};
  out["domains"] = {"domains", "", domains};
  out["wildcard"] = {"wildcard", "", wildcard};
  out["rpz"] = {"rpz", "", rpz};
  return out;
}

// "block <deciding suffix> <dns answer>", "pass", ...: what must agree across formats.
std::string verdict_of(const filters::Snapshot& snapshot, const filters::Matcher& matcher,
                       filters::MatchScratch& scratch, const std::string& text) {
  filters::DomainName name;
  if (name.assign(text) != filters::NameStatus::Ok) return "invalid";
  const filters::Verdict v = matcher.match(name, scratch);
  std::string out(to_string(v.decision));
  if (v.decision == filters::Decision::Block) {
    out += ' ';
    out += name.suffix(v.matched_label);
    out += ' ';
    out += to_string(snapshot.policies()[v.rule.policy].dns);
  }
  return out;
}

struct Agreement {
  std::size_t names = 0;
  std::size_t agreeing = 0;
  std::map<std::string, std::size_t> blocked;  // per format
};

// Judges `probes` with every rendering; a name agrees when every format gives it one verdict.
Agreement agree(const std::map<std::string, Rendering>& renderings,
                const std::vector<std::string>& probes) {
  Agreement result;
  std::map<std::string, std::vector<std::string>> verdicts;
  for (const auto& [label, r] : renderings) {
    TempDir dir;
    dir.write("list", r.text);
    auto snapshot = compile_yaml(
        dir, "lists: [{name: l, format: " + r.format + ", path: list" + r.extra + "}]\n");
    if (!snapshot) {
      ADD_FAILURE() << label;
      return result;
    }
    filters::Matcher matcher(*snapshot);
    filters::MatchScratch scratch;
    EXPECT_TRUE(scratch.prepare(*snapshot));
    auto& column = verdicts[label];
    for (const std::string& probe : probes) {
      column.push_back(verdict_of(*snapshot, matcher, scratch, probe));
      result.blocked[label] += column.back().starts_with("block");
    }
  }
  result.names = probes.size();
  const auto& reference = verdicts.begin()->second;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    bool same = true;
    for (const auto& [label, column] : verdicts) {
      if (column[i] != reference[i]) {
        same = false;
        ADD_FAILURE() << probes[i] << ": " << verdicts.begin()->first << " says '" << reference[i]
                      << "', " << label << " says '" << column[i] << "'";
      }
    }
    result.agreeing += same;
  }
  return result;
}

// Each entry, a name below it and a benign name, in that order.
std::vector<std::string> probes_for(const std::vector<std::string>& names) {
  const std::vector<std::string> benign = benign_names();
  std::vector<std::string> probes;
  for (std::size_t i = 0; i < names.size(); ++i) {
    probes.push_back(names[i]);
    probes.push_back("login-x7." + names[i]);
    probes.push_back(benign[(i * 131) % benign.size()]);
  }
  return probes;
}

TEST(FormatAgreement, TheScamBlocklistGetsOneVerdictPerNameInEveryFormat) {
  const char* other = std::getenv("TAKEDOWN_AGREEMENT_LIST");
  const std::string adblock =
      other != nullptr ? other : source_path("tests/data/lists/scams-light-adblock-head.txt");
  const std::vector<std::string> names = entries_of(control::ListFormat::Adblock, adblock);
  if (other == nullptr) {
    ASSERT_EQ(names.size(), 389u);
  }
  const auto renderings = render(names, adblock);
  ASSERT_EQ(renderings.size(), 7u);
  const Agreement a = agree(renderings, probes_for(names));
  EXPECT_EQ(a.agreeing, a.names);
  for (const auto& [label, blocked] : a.blocked) {
    EXPECT_GE(blocked, 2 * names.size()) << label;  // every entry and the name below it
    EXPECT_EQ(blocked, a.blocked.begin()->second) << label;
  }
  std::printf(
      "format agreement on %s: %zu entries, %zu names x %zu formats, %zu agree, %zu blocked\n",
      adblock.c_str(), names.size(), a.names, renderings.size(), a.agreeing,
      a.blocked.begin()->second);
}

// The real dnsmasq and unbound files of the list (the same 95 entries) agree with each other.
TEST(FormatAgreement, TheRealDnsmasqAndUnboundHeadsAgree) {
  const std::string dnsmasq = source_path("tests/data/lists/scams-light-dnsmasq-head.txt");
  const std::string unbound = source_path("tests/data/lists/scams-light-unbound-head.txt");
  const std::vector<std::string> names = entries_of(control::ListFormat::Dnsmasq, dnsmasq);
  ASSERT_EQ(names, entries_of(control::ListFormat::Unbound, unbound));
  std::map<std::string, Rendering> real;
  for (const auto& [format, path] :
       {std::pair{"dnsmasq", dnsmasq}, std::pair{"unbound", unbound}}) {
    std::ifstream in(path, std::ios::binary);
    real[format] = {format, "", {std::istreambuf_iterator<char>(in), {}}};
  }
  const Agreement a = agree(real, probes_for(names));
  EXPECT_EQ(a.agreeing, a.names);
  EXPECT_EQ(a.names, 3 * 95u);
  std::printf("real dnsmasq and unbound heads: %zu names, %zu agree, %zu blocked\n", a.names,
              a.agreeing, a.blocked.begin()->second);
}

}  // namespace
}  // namespace takedown::testing
