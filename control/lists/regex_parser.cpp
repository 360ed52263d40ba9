// regex: one Hyperscan expression per line, matched case-insensitively against the whole
// normalised name. Blank lines and lines starting with '#' are comments. Expressions are checked
// when the snapshot is compiled; a bad one is reported at its file:line and the rest still load.
#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

namespace takedown::control {
namespace {

class RegexParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(text);
    if (text.empty() || text.front() == '#') return;
    ListEntry entry;
    entry.kind = EntryKind::Regex;
    entry.line = number;
    entry.text.assign(text);
    out.entries.push_back(std::move(entry));
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_regex_parser() { return std::make_unique<RegexParser>(); }

}  // namespace takedown::control
