// libFuzzer target: the control protocol's decoders (control/schema/control_messages.hpp), on any
// line a client or a daemon could send. Whatever decodes must encode back to a line that decodes
// to the same encoding: the encoder and the decoder of each message agree.
#include <cstdint>
#include <string>
#include <string_view>

#include "control/schema/control_messages.hpp"

namespace {

using namespace takedown::schema;

template <typename T, typename Decode>
void round_trip(std::string_view line, Decode decode) {
  auto reply = decode(line);
  if (!reply) return;
  const std::string once = std::visit([](const auto& r) { return encode(r); }, *reply);
  auto again = decode(once);
  if (!again) __builtin_trap();
  const std::string twice = std::visit([](const auto& r) { return encode(r); }, *again);
  if (once != twice) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  if (auto request = decode_request(line)) {
    const std::string once = encode(*request);
    auto again = decode_request(once);
    if (!again || encode(*again) != once) __builtin_trap();
  }
  round_trip<LoadReply>(line, decode_load_reply);
  round_trip<StatsReply>(line, decode_stats_reply);
  round_trip<StatusReply>(line, decode_status_reply);
  round_trip<AckReply>(line, decode_ack_reply);
  return 0;
}
