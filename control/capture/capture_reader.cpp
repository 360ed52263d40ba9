#include "control/capture/capture_reader.hpp"

#include <cerrno>
#include <cstring>

namespace takedown::control {

namespace {

constexpr std::uint32_t kPcapMicro = 0xA1B2C3D4;
constexpr std::uint32_t kPcapNano = 0xA1B23C4D;
constexpr std::uint32_t kBlockSection = 0x0A0D0D0A;
constexpr std::uint32_t kBlockInterface = 1;
constexpr std::uint32_t kBlockPacketObsolete = 2;
constexpr std::uint32_t kBlockSimplePacket = 3;
constexpr std::uint32_t kBlockEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint16_t kOptionEnd = 0;
constexpr std::uint16_t kOptionTsResol = 9;
constexpr std::size_t kMaxBlock = 16u << 20;

std::uint32_t load_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

std::uint32_t bswap(std::uint32_t v) { return __builtin_bswap32(v); }

std::uint64_t units_of_tsresol(std::uint8_t v) {
  const std::uint8_t exponent = v & 0x7F;
  std::uint64_t units = 1;
  const std::uint64_t base = (v & 0x80) != 0 ? 2 : 10;
  for (std::uint8_t i = 0; i < exponent && units < (std::uint64_t{1} << 60) / base; ++i) units *= base;
  return units;
}

std::uint64_t to_microseconds(std::uint64_t ticks, std::uint64_t units_per_second) {
  if (units_per_second == 1000000) return ticks;
  const std::uint64_t seconds = ticks / units_per_second;
  const std::uint64_t rest = ticks % units_per_second;
  return seconds * 1000000 +
         static_cast<std::uint64_t>(static_cast<long double>(rest) * 1e6L /
                                    static_cast<long double>(units_per_second));
}

}  // namespace

Result<std::unique_ptr<CaptureReader>> CaptureReader::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Error{path + ": cannot read capture: " + std::strerror(errno)};
  return open(file, path);
}

Result<std::unique_ptr<CaptureReader>> CaptureReader::open(std::FILE* stream,
                                                           const std::string& name) {
  std::unique_ptr<CaptureReader> reader(new CaptureReader(stream, name));
  if (std::fseek(stream, 0, SEEK_END) == 0) {
    const long end = std::ftell(stream);
    if (end >= 0) reader->size_ = static_cast<std::uint64_t>(end);
    std::rewind(stream);
  }
  if (auto ok = reader->read_file_header(); !ok) return Error{ok.error()};
  return reader;
}

CaptureReader::~CaptureReader() {
  if (file_ != nullptr) std::fclose(file_);
}

std::uint16_t CaptureReader::u16(const std::uint8_t* p) const {
  return big_endian_ ? static_cast<std::uint16_t>(p[0] << 8 | p[1])
                     : static_cast<std::uint16_t>(p[1] << 8 | p[0]);
}

std::uint32_t CaptureReader::u32(const std::uint8_t* p) const {
  const std::uint32_t le = load_le32(p);
  return big_endian_ ? bswap(le) : le;
}

bool CaptureReader::read_exact(std::size_t n, std::uint8_t* into) {
  const std::size_t got = std::fread(into, 1, n, file_);
  offset_ += got;
  return got == n;
}

CaptureReader::Next CaptureReader::fail(const std::string& what) {
  error_ = name_ + ": " + what;
  return Next::Error;
}

Result<bool> CaptureReader::read_file_header() {
  std::uint8_t head[24];
  if (!read_exact(8, head))
    return Error{name_ + ": not a capture: shorter than a pcap or pcapng file header"};
  const std::uint32_t magic = load_le32(head);
  if (magic == kBlockSection) {
    pcapng_ = true;
    if (!section_header(head)) return Error{error_};
    return true;
  }
  if (magic == kPcapMicro || magic == kPcapNano) {
    big_endian_ = false;
  } else if (bswap(magic) == kPcapMicro || bswap(magic) == kPcapNano) {
    big_endian_ = true;
  } else {
    char text[96];
    std::snprintf(text, sizeof text,
                  ": not a capture: magic 0x%08x is neither pcap's nor pcapng's", magic);
    return Error{name_ + text};
  }
  nanoseconds_ = (big_endian_ ? bswap(magic) : magic) == kPcapNano;
  if (!read_exact(16, head + 8)) return Error{name_ + ": the pcap file header is cut short"};
  pcap_linktype_ = u32(head + 20) & 0x0FFFFFFF;  // the upper bits carry FCS information
  return true;
}

CaptureReader::Next CaptureReader::next(CaptureFrame& out) {
  if (!error_.empty()) return Next::Error;
  return pcapng_ ? next_pcapng(out) : next_pcap(out);
}

CaptureReader::Next CaptureReader::next_pcap(CaptureFrame& out) {
  const std::uint64_t at = offset_;
  std::uint8_t record[16];
  const std::size_t got = std::fread(record, 1, sizeof record, file_);
  offset_ += got;
  if (got == 0) return Next::End;
  if (got != sizeof record)
    return fail("the record header at byte " + std::to_string(at) + " is cut short");
  const std::uint32_t length = u32(record + 8);
  if (length > kMaxBlock) {
    return fail("the record at byte " + std::to_string(at) + " claims " + std::to_string(length) +
                " bytes (at most 16 MiB)");
  }
  if (!fits(length)) return fail("the record at byte " + std::to_string(at) + " is cut short");
  buffer_.resize(length);
  if (!read_exact(length, buffer_.data()))
    return fail("the record at byte " + std::to_string(at) + " is cut short");
  const std::uint64_t fraction = u32(record + 4);
  out.bytes = {buffer_.data(), length};
  out.original_length = u32(record + 12);
  out.time_us = std::uint64_t{u32(record)} * 1000000 + (nanoseconds_ ? fraction / 1000 : fraction);
  out.interface = 0;
  out.linktype = pcap_linktype_;
  out.link = filters::link_type_of_pcap(pcap_linktype_);
  return Next::Frame;
}

bool CaptureReader::section_header(const std::uint8_t* first8) {
  const std::uint64_t at = offset_ - 8;
  std::uint8_t magic[4];
  if (!read_exact(4, magic)) {
    fail("the pcapng section header at byte " + std::to_string(at) + " is cut short");
    return false;
  }
  const std::uint32_t bom = load_le32(magic);
  if (bom == kByteOrderMagic) {
    big_endian_ = false;
  } else if (bswap(bom) == kByteOrderMagic) {
    big_endian_ = true;
  } else {
    fail("the pcapng section header at byte " + std::to_string(at) + " has no byte-order magic");
    return false;
  }
  const std::uint32_t total = u32(first8 + 4);
  if (total < 28 || total % 4 != 0 || total > kMaxBlock) {
    fail("the pcapng section header at byte " + std::to_string(at) + " has length " +
         std::to_string(total) + " (expected a multiple of 4, at least 28)");
    return false;
  }
  if (!fits(total - 12)) {
    fail("the pcapng section header at byte " + std::to_string(at) + " is cut short");
    return false;
  }
  buffer_.resize(total - 12);
  if (!read_exact(total - 12, buffer_.data())) {
    fail("the pcapng section header at byte " + std::to_string(at) + " is cut short");
    return false;
  }
  if (u32(buffer_.data() + total - 16) != total) {
    fail("the pcapng section header at byte " + std::to_string(at) +
         " does not end with its length");
    return false;
  }
  interfaces_.clear();  // interface ids are per section
  return true;
}

bool CaptureReader::interface_block(std::span<const std::uint8_t> body) {
  if (body.size() < 8) return false;
  Interface i;
  i.linktype = u16(body.data());
  // Options: code, length, value padded to 4 bytes.
  for (std::size_t p = 8; p + 4 <= body.size();) {
    const std::uint16_t code = u16(body.data() + p);
    const std::uint16_t length = u16(body.data() + p + 2);
    if (code == kOptionEnd || p + 4 + length > body.size()) break;
    if (code == kOptionTsResol && length >= 1) i.units_per_second = units_of_tsresol(body[p + 4]);
    p += 4 + ((length + 3u) & ~3u);
  }
  interfaces_.push_back(i);
  return true;
}

CaptureReader::Next CaptureReader::packet_block(std::uint32_t type,
                                                std::span<const std::uint8_t> body,
                                                CaptureFrame& out) {
  const std::uint8_t* b = body.data();
  std::uint32_t interface = 0, captured = 0, original = 0;
  std::uint64_t ticks = 0;
  std::size_t data = 0;
  if (type == kBlockSimplePacket) {
    if (body.size() < 4) return Next::Error;
    original = u32(b);
    captured = static_cast<std::uint32_t>(std::min<std::size_t>(original, body.size() - 4));
    data = 4;
  } else {
    // Enhanced: a 4-byte interface id; the obsolete Packet Block: 2 bytes and a drops count.
    if (body.size() < 20) return Next::Error;
    interface = type == kBlockEnhancedPacket ? u32(b) : u16(b);
    ticks = std::uint64_t{u32(b + 4)} << 32 | u32(b + 8);
    captured = u32(b + 12);
    original = u32(b + 16);
    data = 20;
  }
  if (captured > body.size() - data) return Next::Error;
  if (interface >= interfaces_.size()) return Next::Error;
  const Interface& i = interfaces_[interface];
  out.bytes = body.subspan(data, captured);
  out.original_length = original;
  out.time_us = to_microseconds(ticks, i.units_per_second);
  out.interface = interface;
  out.linktype = i.linktype;
  out.link = filters::link_type_of_pcap(i.linktype);
  return Next::Frame;
}

CaptureReader::Next CaptureReader::next_pcapng(CaptureFrame& out) {
  for (;;) {
    const std::uint64_t at = offset_;
    std::uint8_t head[8];
    const std::size_t got = std::fread(head, 1, sizeof head, file_);
    offset_ += got;
    if (got == 0) return Next::End;
    const std::string where = "the pcapng block at byte " + std::to_string(at);
    if (got != sizeof head) return fail(where + " is cut short");
    const std::uint32_t type = u32(head);
    if (load_le32(head) == kBlockSection) {
      if (!section_header(head)) return Next::Error;
      continue;
    }
    const std::uint32_t total = u32(head + 4);
    if (total < 12 || total % 4 != 0 || total > kMaxBlock) {
      return fail(where + " has length " + std::to_string(total) +
                  " (expected a multiple of 4, from 12 to 16 MiB)");
    }
    if (!fits(total - 8)) return fail(where + " is cut short");
    buffer_.resize(total - 8);
    if (!read_exact(total - 8, buffer_.data())) return fail(where + " is cut short");
    if (u32(buffer_.data() + total - 12) != total)
      return fail(where + " does not end with its length " + std::to_string(total));
    const std::span<const std::uint8_t> body{buffer_.data(), total - 12};
    if (type == kBlockInterface) {
      if (!interface_block(body)) return fail(where + ": an interface block shorter than 8 bytes");
      continue;
    }
    if (type == kBlockEnhancedPacket || type == kBlockSimplePacket ||
        type == kBlockPacketObsolete) {
      if (packet_block(type, body, out) == Next::Frame) return Next::Frame;
      return fail(where + ": a packet block whose interface id or captured length does not fit (" +
                  std::to_string(interfaces_.size()) + " interfaces so far)");
    }
    // Name resolution, statistics, custom and decryption-secrets blocks: nothing to inspect.
  }
}

}  // namespace takedown::control
