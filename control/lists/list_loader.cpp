#include "control/lists/list_loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "control/lists/line_reader.hpp"

namespace takedown::control {

namespace {
std::unique_ptr<FormatParser> make_parser(ListFormat format) {
  switch (format) {
    case ListFormat::Domains:
      return make_domains_parser();
    case ListFormat::Hosts:
      return make_hosts_parser();
    case ListFormat::Adblock:
      return make_adblock_parser();
    case ListFormat::Dnsmasq:
      return make_dnsmasq_parser();
    case ListFormat::Unbound:
      return make_unbound_parser();
    case ListFormat::Rpz:
      return make_rpz_parser();
    case ListFormat::Regex:
      return make_regex_parser();
    case ListFormat::Urls:
      return make_urls_parser();
    case ListFormat::Wildcard:
      return make_wildcard_parser();
  }
  return make_domains_parser();
}
}  // namespace

void parse_list_bytes(ListFormat format, std::string_view bytes, ParsedList& out) {
  out.report.format = std::string(to_string(format));
  auto parser = make_parser(format);
  LineReader reader(bytes);
  std::uint32_t number = 0;
  std::string_view text;
  LineReader::Kind kind;
  while (reader.next(number, text, kind)) {
    ++out.report.lines;
    if (kind == LineReader::Kind::TooLong) {
      out.report.skip(number, "line longer than 4096 bytes");
    } else if (kind == LineReader::Kind::HasNul) {
      out.report.skip(number, "line holds a NUL byte (binary data?)");
    } else {
      parser->line(number, text, out);
    }
  }
  parser->finish(out);
  out.report.loaded = out.entries.size();
}

Result<ParsedList> load_list(ListFormat format, const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open list '" + name + "': " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(path + ": cannot read list '" + name + "'");
  ParsedList out;
  out.report.name = name;
  out.report.path = path;
  parse_list_bytes(format, bytes, out);
  return out;
}

}  // namespace takedown::control
