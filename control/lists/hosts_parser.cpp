// hosts: "0.0.0.0 name [name...]" (or 127.0.0.1, ::, ::1), '#' comments. The localhost and
// broadcast lines every hosts file starts with are skipped as boilerplate, never blocked.
#include <array>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

namespace takedown::control {
namespace {

constexpr std::array<std::string_view, 4> kBlockingAddresses = {"0.0.0.0", "127.0.0.1",
                                                                "::", "::1"};
constexpr std::array<std::string_view, 9> kBoilerplateNames = {
    "localhost",    "localhost.localdomain", "local",        "broadcasthost", "ip6-localhost",
    "ip6-loopback", "ip6-localnet",          "ip6-allnodes", "ip6-allrouters"};

template <std::size_t N>
bool is_one_of(std::string_view s, const std::array<std::string_view, N>& set) {
  for (auto v : set) {
    if (s == v) return true;
  }
  return false;
}

class HostsParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(strip_hash_comment(text));
    if (text.empty()) return;
    std::string_view tokens[64];
    std::size_t count = 0;
    while (!text.empty() && count < 64) {
      const std::size_t end = text.find_first_of(" \t");
      tokens[count++] = text.substr(0, end);
      text = trim(end == std::string_view::npos ? std::string_view{} : text.substr(end));
    }
    if (count < 2) {
      out.report.skip(number, "expected an address followed by names", tokens[0]);
      return;
    }
    bool all_boilerplate = true;
    for (std::size_t i = 1; i < count; ++i)
      all_boilerplate = all_boilerplate && is_one_of(tokens[i], kBoilerplateNames);
    if (all_boilerplate) {
      out.report.skip(number, "hosts-file boilerplate (localhost, broadcasthost)");
      return;
    }
    if (!is_one_of(tokens[0], kBlockingAddresses)) {
      out.report.skip(number, "not a blocking address (expected 0.0.0.0, 127.0.0.1, :: or ::1)",
                      tokens[0]);
      return;
    }
    for (std::size_t i = 1; i < count; ++i) {
      if (!is_one_of(tokens[i], kBoilerplateNames)) out.add_domain(number, tokens[i], Scope::Both);
    }
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_hosts_parser() { return std::make_unique<HostsParser>(); }

}  // namespace takedown::control
