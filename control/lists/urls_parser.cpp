// urls: "http://host/path-prefix" (or https://). A url rule applies to HTTP requests only: the Host
// must equal `host` and the request path must start with the prefix (case-sensitive; "/" when the
// URL has none). A port and a #fragment are dropped; userinfo and IP literals are skipped.
#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"
#include "control/lists/list_name.hpp"

namespace takedown::control {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if ((s[i] | 0x20) != prefix[i]) return false;
  }
  return true;
}

class UrlsParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(strip_hash_comment(text));
    if (text.empty()) return;
    std::string_view rest;
    if (starts_with_nocase(text, "http://")) {
      rest = text.substr(7);
    } else if (starts_with_nocase(text, "https://")) {
      rest = text.substr(8);
    } else {
      out.report.skip(number, "expected an http:// or https:// URL", text);
      return;
    }
    if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos)
      rest = rest.substr(0, hash);
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    const std::string_view path =
        slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos || authority.starts_with('[')) {
      out.report.skip(number, "userinfo and IP literals are not supported in url rules", text);
      return;
    }
    if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
      authority = authority.substr(0, colon);
    }
    ListEntry entry;
    std::string why;
    if (!list_name(authority, entry.text, why)) {
      out.report.skip(number, why, authority);
      return;
    }
    entry.kind = EntryKind::Url;
    entry.line = number;
    entry.path.assign(path);
    out.entries.push_back(std::move(entry));
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_urls_parser() { return std::make_unique<UrlsParser>(); }

}  // namespace takedown::control
