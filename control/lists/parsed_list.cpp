#include "control/lists/parsed_list.hpp"

#include "control/lists/list_name.hpp"

namespace takedown::control {

void ListReport::skip(std::uint32_t line, std::string_view reason, std::string_view detail) {
  ++skipped;
  ++skipped_by_reason[std::string(reason)];
  if (first_skips.size() < kMaxDetailed) {
    std::string text = path + ":" + std::to_string(line) + ": " + std::string(reason);
    if (!detail.empty()) {
      // Keep reports readable when a line is binary garbage or megabytes long.
      std::string shown;
      for (char c : detail.substr(0, 80)) {
        const auto byte = static_cast<unsigned char>(c);
        shown += (byte >= 0x20 && byte < 0x7f) ? c : '?';
      }
      text += " (" + shown + (detail.size() > 80 ? "...)" : ")");
    }
    first_skips.push_back(std::move(text));
  }
}

std::uint32_t ParsedList::add_override(PolicyOverride o) {
  overrides.push_back(std::move(o));
  return static_cast<std::uint32_t>(overrides.size());
}

bool ParsedList::add_domain(std::uint32_t line, std::string_view raw, Scope scope,
                            std::uint32_t override_index) {
  ListEntry entry;
  std::string why;
  if (!list_name(raw, entry.text, why)) {
    report.skip(line, why, raw);
    return false;
  }
  entry.kind = EntryKind::Domain;
  entry.scope = scope;
  entry.override_index = override_index;
  entry.line = line;
  entries.push_back(std::move(entry));
  return true;
}

}  // namespace takedown::control
