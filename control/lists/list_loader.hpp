// load_list(): the per-format line parsers behind schema::ListFormat.
//
// Each format turns one line at a time into entries of a ParsedList (some, like RPZ, keep state
// between lines). load_list() reads a file and drives the right parser; it fails only when the file
// cannot be read. Whether a list with no entry is acceptable is the compiler's call. Cold path;
// a parser is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "control/lists/parsed_list.hpp"
#include "control/schema/list_format.hpp"
#include "filters/common/result.hpp"

namespace takedown::control {

using schema::ListFormat;

class FormatParser {
 public:
  virtual ~FormatParser() = default;
  // `text` has no line terminator, no NUL byte and at most LineReader::kMaxLine bytes.
  virtual void line(std::uint32_t number, std::string_view text, ParsedList& out) = 0;
  virtual void finish(ParsedList&) {}
};

std::unique_ptr<FormatParser> make_domains_parser();
std::unique_ptr<FormatParser> make_hosts_parser();
std::unique_ptr<FormatParser> make_adblock_parser();
std::unique_ptr<FormatParser> make_dnsmasq_parser();
std::unique_ptr<FormatParser> make_unbound_parser();
std::unique_ptr<FormatParser> make_rpz_parser();
std::unique_ptr<FormatParser> make_regex_parser();
std::unique_ptr<FormatParser> make_urls_parser();
std::unique_ptr<FormatParser> make_wildcard_parser();

// Parses a whole file's bytes; out.report.path names it in skip reasons.
void parse_list_bytes(ListFormat format, std::string_view bytes, ParsedList& out);
// Reads `path` and parses it. An error only when the file cannot be read.
Result<ParsedList> load_list(ListFormat format, const std::string& path, const std::string& name);

}  // namespace takedown::control
