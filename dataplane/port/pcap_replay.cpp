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

// A classic pcap file's byte order from its magic (micro- or nanosecond): Same as this host's,
// Swapped, or Neither (not a classic pcap).
enum class PcapOrder { Same, Swapped, Neither };

PcapOrder pcap_order(const unsigned char* header) {
  std::uint32_t magic;
  std::memcpy(&magic, header, 4);
  if (magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du) return PcapOrder::Same;
  if (magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u) return PcapOrder::Swapped;
  return PcapOrder::Neither;
}

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
  const PcapOrder order = pcap_order(header);
  if (order == PcapOrder::Neither)
    return make_error(path + ": not a classic pcap file (pcapng is not replayed)");
  const bool swapped = order == PcapOrder::Swapped;
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

Result<filters::LinkType> pcap_link_type(const std::string& device) {
  if (device.rfind("net_pcap", 0) != 0) return filters::LinkType::Ethernet;
  const std::string path = schema::device_argument(device, "rx_pcap");
  if (path.empty()) return filters::LinkType::Ethernet;
  std::unique_ptr<std::FILE, CloseFile> file(std::fopen(path.c_str(), "rb"));
  if (!file) return make_error(path + ": cannot open: " + std::strerror(errno));
  unsigned char head[64] = {};
  const std::size_t got = std::fread(head, 1, sizeof head, file.get());
  std::uint32_t magic;
  std::memcpy(&magic, head, 4);
  std::uint32_t linktype = 1;
  const auto le32 = [&](std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, head + at, 4);
    return v;
  };
  const PcapOrder order = got >= 24 ? pcap_order(head) : PcapOrder::Neither;
  if (order == PcapOrder::Same) {
    linktype = le32(20) & 0x0FFFFFFF;
  } else if (order == PcapOrder::Swapped) {
    linktype = __builtin_bswap32(le32(20)) & 0x0FFFFFFF;
  } else if (got >= 12 && magic == 0x0A0D0D0Au) {
    // pcapng: the section header's length, then the first interface block's link type.
    const bool big = le32(8) == 0x4D3C2B1Au;
    const auto u32 = [&](std::size_t at) { return big ? __builtin_bswap32(le32(at)) : le32(at); };
    const std::uint32_t shb = u32(4);
    if (shb + 10 > got || u32(shb) != 1)
      return make_error(path + ": a pcapng file whose first interface block is not at its start");
    const unsigned char* t = head + shb + 8;
    linktype = big ? (t[0] << 8 | t[1]) : (t[1] << 8 | t[0]);
  } else {
    return make_error(path + ": not a pcap or pcapng file");
  }
  const auto link = filters::link_type_of_pcap(linktype);
  if (!link) {
    return make_error(path + ": link type " + std::to_string(linktype) +
                      " is not decoded (expected one of: " +
                      std::string(names_of(filters::LinkType{})) + ")");
  }
  return *link;
}

Result<bool> relabel_tx_pcap(const std::string& device, filters::LinkType link) {
  if (link == filters::LinkType::Ethernet || device.rfind("net_pcap", 0) != 0) return true;
  const std::string path = schema::device_argument(device, "tx_pcap");
  if (path.empty()) return true;
  std::unique_ptr<std::FILE, CloseFile> file(std::fopen(path.c_str(), "r+b"));
  if (!file) return make_error(path + ": cannot open to set its link type: " + std::strerror(errno));
  unsigned char header[24];
  if (std::fread(header, 1, sizeof header, file.get()) != sizeof header)
    return make_error(path + ": not a pcap file (shorter than its 24-byte header)");
  if (pcap_order(header) != PcapOrder::Same)
    return make_error(path + ": not a pcap file in this host's byte order");
  const std::uint32_t linktype = filters::pcap_linktype_of(link);
  if (std::fseek(file.get(), 20, SEEK_SET) != 0 ||
      std::fwrite(&linktype, 4, 1, file.get()) != 1) {
    return make_error(path + ": cannot write its link type: " + std::strerror(errno));
  }
  return true;
}

}  // namespace takedown::dataplane
