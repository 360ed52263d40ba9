#include "control/lists/parsed_list.hpp"

#include <algorithm>

#include "control/lists/list_name.hpp"

namespace takedown::control {

namespace {

// "file:line: [warning: ]reason (excerpt)". The excerpt keeps reports readable when a line is
// binary garbage or megabytes long.
std::string note_text(const std::string& path, std::uint32_t line, bool warning,
                      std::string_view reason, std::string_view detail) {
  std::string text = path + ":" + std::to_string(line) + ": " + (warning ? "warning: " : "");
  text += reason;
  if (!detail.empty()) {
    std::string shown;
    for (char c : detail.substr(0, 80)) {
      const auto byte = static_cast<unsigned char>(c);
      shown += (byte >= 0x20 && byte < 0x7f) ? c : '?';
    }
    text += " (" + shown + (detail.size() > 80 ? "...)" : ")");
  }
  return text;
}

}  // namespace

void ListReport::skip(std::uint32_t line, std::string_view reason, std::string_view detail) {
  ++skipped;
  ++skipped_by_reason[std::string(reason)];
  note(NoteKind::Skip, line, reason, detail);
}

void ListReport::warn(std::uint32_t line, std::string_view reason, std::string_view detail) {
  ++warned;
  ++warned_by_reason[std::string(reason)];
  note(NoteKind::Warning, line, reason, detail);
}

void ListReport::note(NoteKind kind, std::uint32_t line, std::string_view reason,
                      std::string_view detail) {
  const bool warning = kind == NoteKind::Warning;
  std::vector<std::string>& first = warning ? first_warnings : first_skips;
  std::uint16_t detailed = 0;
  if (first.size() < kMaxDetailed) {
    first.push_back(note_text(path, line, warning, reason, detail));
    detailed = static_cast<std::uint16_t>(first.size());
  }
  if (notes.size() >= kMaxNoted) {
    ++unnoted;
    return;
  }
  auto id = reason_ids_.find(reason);
  if (id == reason_ids_.end()) {
    id = reason_ids_.emplace(std::string(reason), static_cast<std::uint32_t>(reasons.size())).first;
    reasons.emplace_back(reason);
  }
  notes.push_back({line, id->second, detailed, kind});
}

std::vector<std::string> ListReport::all_notes() const {
  std::vector<Note> sorted = notes;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Note& a, const Note& b) { return a.line < b.line; });
  std::vector<std::string> out;
  out.reserve(sorted.size());
  for (const Note& n : sorted) {
    const bool warning = n.kind == NoteKind::Warning;
    if (n.detailed != 0) {
      out.push_back((warning ? first_warnings : first_skips)[n.detailed - 1]);
    } else {
      out.push_back(note_text(path, n.line, warning, reasons[n.reason], {}));
    }
  }
  return out;
}

PolicyOverride exemption_override() {
  PolicyOverride o;
  o.action = filters::Action::Allow;
  return o;
}

std::uint32_t ParsedList::add_override(PolicyOverride o) {
  overrides.push_back(std::move(o));
  return static_cast<std::uint32_t>(overrides.size());
}

std::uint32_t ParsedList::shared_override(const PolicyOverride& o) {
  for (std::uint32_t index : shared_) {
    if (overrides[index - 1] == o) return index;
  }
  shared_.push_back(add_override(o));
  return shared_.back();
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
