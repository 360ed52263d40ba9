#include "control/lists/over_broad.hpp"

namespace takedown::control {

void warn_over_broad(ParsedList& list, bool blocks, bool exact, const PublicSuffixes& suffixes) {
  if (!blocks) return;
  const std::string top_level =
      suffixes.loaded()
          ? "over-broad: a top-level domain, every name under it is blocked"
          : "over-broad: a top-level domain, every name under it is blocked (no public suffix "
            "list at " +
                suffixes.path() + ": only single labels are checked)";
  for (const ListEntry& e : list.entries) {
    if (e.kind != EntryKind::Domain) continue;
    const bool below = e.scope == Scope::Below || (e.scope == Scope::Both && !exact);
    if (!below) continue;
    if (e.override_index != 0) {
      const auto& action = list.overrides[e.override_index - 1].action;
      if (action && *action != filters::Action::Block) continue;
    }
    switch (suffixes.classify(e.text)) {
      case PublicSuffixes::Kind::TopLevel:
        list.report.warn(e.line, top_level, e.text);
        break;
      case PublicSuffixes::Kind::Suffix:
        list.report.warn(e.line,
                         "over-broad: a public suffix, every domain registered under it is blocked",
                         e.text);
        break;
      case PublicSuffixes::Kind::NotASuffix:
        break;
    }
  }
}

}  // namespace takedown::control
