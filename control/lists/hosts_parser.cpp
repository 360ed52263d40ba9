// hosts: "0.0.0.0 name [name...]" (or 127.0.0.1, ::, ::1), '#' comments, any number of names on a
// line. The localhost, broadcast and IPv6 multicast lines every hosts file starts with
// ("ff02::1 ip6-allnodes", "0.0.0.0 0.0.0.0") are skipped as boilerplate, never blocked.
#include <array>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

namespace takedown::control {
namespace {

constexpr std::array<std::string_view, 4> kBlockingAddresses = {"0.0.0.0", "127.0.0.1",
                                                                "::", "::1"};
constexpr std::array<std::string_view, 12> kBoilerplateNames = {
    "localhost",      "localhost.localdomain", "local",          "broadcasthost",
    "ip6-localhost",  "ip6-loopback",          "ip6-localnet",   "ip6-allnodes",
    "ip6-allrouters", "ip6-allhosts",          "ip6-mcastprefix", "0.0.0.0"};

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
    const auto next_token = [](std::string_view& rest) {
      const std::size_t end = rest.find_first_of(" \t");
      const std::string_view token = rest.substr(0, end);
      rest = trim(end == std::string_view::npos ? std::string_view{} : rest.substr(end));
      return token;
    };
    const std::string_view address = next_token(text);
    if (text.empty()) {
      out.report.skip(number, "expected an address followed by names", address);
      return;
    }
    bool all_boilerplate = true;
    for (std::string_view rest = text; !rest.empty() && all_boilerplate;)
      all_boilerplate = is_one_of(next_token(rest), kBoilerplateNames);
    if (all_boilerplate) {
      out.report.skip(number, "hosts-file boilerplate (localhost, broadcasthost, ip6-*)");
      return;
    }
    if (!is_one_of(address, kBlockingAddresses)) {
      out.report.skip(number, "not a blocking address (expected 0.0.0.0, 127.0.0.1, :: or ::1)",
                      address);
      return;
    }
    while (!text.empty()) {
      const std::string_view name = next_token(text);
      if (!is_one_of(name, kBoilerplateNames)) out.add_domain(number, name, Scope::Both);
    }
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_hosts_parser() { return std::make_unique<HostsParser>(); }

}  // namespace takedown::control
