// CaptureReader: the frames of a pcap or pcapng file, each with its link type and capture time.
//
// libpcap reads both formats, but refuses a pcapng file whose interfaces have different link
// types ("an interface has a type different from the type of the first interface"), and that is
// what captures of a router or a probe on several ports are: an Ethernet port beside a raw-IP
// tunnel interface and an SLL "any" capture. This reader takes them as they are:
//   - classic pcap, either byte order, microsecond or nanosecond timestamps;
//   - pcapng, either byte order per section, several sections, interfaces of any link type with
//     their if_tsresol; Enhanced, Simple and the obsolete Packet blocks; every other block skipped.
// Frames of a link type Takedown does not decode are still returned (link is nullopt), so that
// frame numbers stay tshark's. Streams the file through one reused buffer; a block or record
// larger than 16 MiB is an error. Errors name the byte offset and what was expected. Cold path;
// not thread-safe (one reader per thread).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "filters/common/result.hpp"
#include "filters/packet/link_type.hpp"

namespace takedown::control {

struct CaptureFrame {
  std::span<const std::uint8_t> bytes;  // valid until the next call to next()
  std::uint32_t original_length = 0;    // on the wire, when the capture cut the frame
  std::uint64_t time_us = 0;            // since the epoch
  std::uint32_t interface = 0;          // pcapng interface id; 0 for pcap
  std::uint32_t linktype = 0;           // the pcap LINKTYPE_ number
  std::optional<filters::LinkType> link;  // nullopt: a link type Takedown does not decode
};

class CaptureReader {
 public:
  enum class Next { Frame, End, Error };

  // Opens `path` and reads its file header. `stream` (tests, fuzzing) reads an open FILE instead,
  // which the reader then owns.
  static Result<std::unique_ptr<CaptureReader>> open(const std::string& path);
  static Result<std::unique_ptr<CaptureReader>> open(std::FILE* stream, const std::string& name);

  ~CaptureReader();
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;

  // The next frame; End at a clean end of file; Error with error() set when the file is cut short
  // or a block is malformed (the frames before it were good).
  Next next(CaptureFrame& out);
  const std::string& error() const { return error_; }
  const char* format() const { return pcapng_ ? "pcapng" : "pcap"; }

 private:
  struct Interface {
    std::uint32_t linktype = 0;
    std::uint64_t units_per_second = 1000000;
  };

  CaptureReader(std::FILE* file, std::string name) : file_(file), name_(std::move(name)) {}
  Result<bool> read_file_header();
  bool read_exact(std::size_t n, std::uint8_t* into);
  // Whether `n` more bytes can still be in the file: a claimed length past its end is refused
  // before a buffer is sized for it.
  bool fits(std::size_t n) const { return size_ == UINT64_MAX || n <= size_ - offset_; }
  Next fail(const std::string& what);
  Next next_pcap(CaptureFrame& out);
  Next next_pcapng(CaptureFrame& out);
  bool section_header(const std::uint8_t* first8);
  bool interface_block(std::span<const std::uint8_t> body);
  Next packet_block(std::uint32_t type, std::span<const std::uint8_t> body, CaptureFrame& out);
  std::uint16_t u16(const std::uint8_t* p) const;
  std::uint32_t u32(const std::uint8_t* p) const;

  std::FILE* file_;
  std::string name_;
  std::string error_;
  bool pcapng_ = false;
  bool big_endian_ = false;  // of the file (pcap) or of the current section (pcapng)
  bool nanoseconds_ = false;
  std::uint32_t pcap_linktype_ = 0;
  std::uint64_t offset_ = 0;  // of the next unread byte
  std::uint64_t size_ = UINT64_MAX;  // of the file, when it can be known (a seekable file)
  std::vector<Interface> interfaces_;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace takedown::control
