// libFuzzer target: any bytes as an Ethernet frame.
#include "filters/packet/packet_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  takedown::filters::DecodedPacket packet;
  const auto result = takedown::filters::decode_packet({data, size}, packet);
  if (result.status == takedown::filters::DecodeStatus::Ok &&
      std::size_t{packet.payload_offset} + packet.payload_length > size) {
    __builtin_trap();  // a payload outside the frame
  }
  return 0;
}
