#include "dataplane/port/pcap_replay.hpp"

#include <cstdio>
#include <cstring>
#include <memory>

#include "control/schema/dataplane_config.hpp"

namespace takedown::dataplane {

namespace {

struct CloseFile {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Result<std::uint64_t> pcap_replay_frames(const std::string& device) {
  if (device.rfind("net_pcap", 0) != 0 || schema::device_argument(device, "infinite_rx") != "1")
    return 0;
  const std::string path = schema::device_argument(device, "rx_pcap");
  std::unique_ptr<std::FILE, CloseFile> file(std::fopen(path.c_str(), "rb"));
  if (!file) return make_error(path + ": cannot open: " + std::strerror(errno));
  unsigned char header[24];
  if (std::fread(header, 1, sizeof header, file.get()) != sizeof header) {
    return make_error(path + ": not a pcap file (shorter than its 24-byte header)");
  }
  std::uint32_t magic;
  std::memcpy(&magic, header, 4);
  const bool same_order = magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du;
  const bool swapped = magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u;
  if (!same_order && !swapped)
    return make_error(path + ": not a classic pcap file (pcapng is not replayed)");
  std::uint64_t frames = 0;
  unsigned char record[16];
  while (std::fread(record, 1, sizeof record, file.get()) == sizeof record) {
    std::uint32_t captured;
    std::memcpy(&captured, record + 8, 4);
    if (swapped) captured = __builtin_bswap32(captured);
    if (std::fseek(file.get(), captured, SEEK_CUR) != 0) break;
    ++frames;
  }
  return frames;
}

}  // namespace takedown::dataplane
