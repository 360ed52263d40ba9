#include "control/cli/verdict_explainer.hpp"

#include "control/lists/list_name.hpp"
#include "filters/match/name_hash.hpp"

namespace takedown::control {

namespace {

// An entry marked important by its list ($important), not by being in an allow list of the config
// (every rule of which is important).
bool entry_important(const filters::Snapshot& snapshot, const filters::Rule& rule) {
  const auto& policies = snapshot.policies();
  return policies[rule.policy].important != 0 &&
         policies[snapshot.lists()[rule.list].policy].important == 0;
}

std::string rule_text(const filters::Snapshot& snapshot, const filters::Rule& rule) {
  const auto& policy = snapshot.policies()[rule.policy];
  return std::string(to_string(policy.action)) +
         (entry_important(snapshot, rule) ? " ($important)" : "") + " by list " +
         std::string(snapshot.list_name(rule.list)) + " (" +
         std::string(snapshot.list_source(rule.list)) + ":" + std::to_string(rule.line) + ")";
}

std::string reason(const filters::Snapshot& snapshot, const filters::Verdict& v) {
  const bool important = snapshot.policies()[v.rule.policy].important != 0;
  switch (v.decision) {
    case filters::Decision::Allow:
      if (important)
        return "an allow list of the config (or an $important exception) matched: it wins over "
               "every block and log rule";
      return "an allow rule matched, and an allow wins over every block and log rule that is not "
             "$important";
    case filters::Decision::Block:
      if (important)
        return "an $important block rule matched: it outranks the exceptions of block lists (@@ "
               "rules, exemptions) and every other block; only an allow list of the config or an "
               "$important exception beats it";
      switch (v.kind) {
        case filters::MatchKind::Exact:
          return "the most specific block rule is for the name itself";
        case filters::MatchKind::Suffix:
          return "the most specific block rule is for a parent domain, and covers names below it";
        case filters::MatchKind::Regex:
          return "no domain rule blocks it; a regex rule does";
        case filters::MatchKind::Url:
          return "a url rule matched";
        default:
          return "a block rule matched";
      }
    case filters::Decision::Log:
      return "only a shadow-mode (action: log) list matched: forwarded and counted";
    case filters::Decision::Pass:
      return "no rule applies";
    case filters::Decision::Invalid:
      return "not a valid name";
  }
  return "";
}

}  // namespace

std::string explain_verdict(std::string_view input, const filters::Snapshot& snapshot,
                            const filters::Matcher& matcher, filters::MatchScratch& scratch) {
  std::string out = "name        ";
  out.append(input);
  out += '\n';
  filters::DomainName name;
  std::string converted;
  const filters::NameStatus status = normalise_typed_name(input, name, converted);
  if (status != filters::NameStatus::Ok) {
    out += "normalised  (invalid: " + std::string(to_string(status)) + ")\nverdict     invalid\n";
    return out;
  }
  out += "normalised  " + std::string(name.view()) + "\nsuffixes    most specific first\n";
  const auto bloom = snapshot.bloom();
  const auto set = snapshot.suffix_set();
  for (std::size_t level = 0; level < name.label_count(); ++level) {
    const std::string_view suffix = name.suffix(level);
    const std::uint64_t hash = filters::name_hash(suffix);
    out += "  " + std::string(suffix) + "\n";
    if (!bloom.maybe_contains(hash)) {
      out += "      not listed (the bloom filter rules it out)\n";
      continue;
    }
    bool any = false;
    set.for_each_rule(hash, suffix, [&](const filters::SuffixSlot& slot) {
      any = true;
      const std::uint32_t scope = slot.scope();
      const bool applies = level == 0 ? (scope & filters::SuffixSlot::kApex) != 0
                                      : (scope & filters::SuffixSlot::kBelow) != 0;
      const char* covers = scope == (filters::SuffixSlot::kApex | filters::SuffixSlot::kBelow)
                               ? "the name and names below it"
                           : (scope & filters::SuffixSlot::kApex) != 0 ? "the name only (exact)"
                                                                       : "names below it only (*.)";
      out += "      " + rule_text(snapshot, slot.rule) + ", covers " + covers +
             (applies ? ": applies\n" : ": does not apply here\n");
    });
    if (!any) out += "      not listed (a bloom false positive)\n";
  }
  const auto& meta = snapshot.meta();
  out += "patterns    " + std::to_string(meta.regex_rule_count) + " regex and " +
         std::to_string(meta.url_rule_count) + " url rules (url rules only for HTTP requests)\n";
  const filters::Verdict v = matcher.match(name, scratch);
  out += "verdict     " + std::string(to_string(v.decision));
  if (v.decision != filters::Decision::Pass && v.decision != filters::Decision::Invalid) {
    out += ": " + rule_text(snapshot, v.rule) + ", " + std::string(to_string(v.kind)) + " match";
  }
  out += "\nwhy         " + reason(snapshot, v) + "\n";
  return out;
}

}  // namespace takedown::control
