// libFuzzer target: a datagram on control.notify (control/run/notify_listener.hpp) and the text
// of a TSIG secret file (control/sources/tsig_secret.hpp). A NOTIFY is accepted only for a
// configured zone from its primary; any reply is a DNS message of at most the query's size plus
// a TSIG; a secret that is accepted is base64 of at least 16 bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "control/run/notify_listener.hpp"
#include "control/sources/tsig_secret.hpp"

namespace {

using namespace takedown;

const schema::Config& config() {
  static const schema::Config c = [] {
    auto parsed = schema::parse_config(
        "lists:\n"
        "  - {name: open, format: rpz, transfer: {primary: 192.0.2.53, zone: rpz.test}}\n"
        "  - {name: v6, format: rpz, transfer: {primary: '2001:db8::53', zone: six.test}}\n",
        "/fuzz/t.yaml");
    if (!parsed) __builtin_trap();
    return *parsed;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> reply;
  for (const char* sender : {"192.0.2.53", "2001:db8::53", "198.51.100.1"}) {
    const control::NotifyEvent e = control::handle_notify(config(), data, size, sender, reply);
    if (e.accepted && e.zone != "rpz.test" && e.zone != "six.test") __builtin_trap();
    if (e.accepted && std::string(sender) == "198.51.100.1") __builtin_trap();
    if (!reply.empty() && (reply.size() < 12 || (reply[2] & 0x80) == 0)) __builtin_trap();
  }
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto secret = control::tsig_secret_in(text, "fuzz.key")) {
    if (secret->size() < 24 || secret->size() % 4 != 0) __builtin_trap();
  }
  return 0;
}
