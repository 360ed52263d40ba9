// CaptureReader on pcap files written by libpcap (microsecond and nanosecond) and by hand (big
// endian), and on pcapng files built block by block: several interfaces of different link types,
// both byte orders, two sections, Enhanced, Simple and obsolete Packet blocks, if_tsresol, blocks
// to skip; and every malformed file it must name the offset of.
#include "control/capture/capture_reader.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/support/frames.hpp"

namespace takedown::control {
namespace {

using takedown::testing::frames::Bytes;

struct Read {
  std::vector<Bytes> frames;
  std::vector<CaptureFrame> meta;
  CaptureReader::Next last = CaptureReader::Next::End;
  std::string error;
};

Read read_all(const Bytes& file) {
  Read r;
  std::FILE* f = ::fmemopen(const_cast<std::uint8_t*>(file.data()), file.size(), "rb");
  auto reader = CaptureReader::open(f, "test.cap");
  if (!reader) {
    r.last = CaptureReader::Next::Error;
    r.error = reader.error();
    return r;
  }
  CaptureFrame frame;
  while ((r.last = reader.value()->next(frame)) == CaptureReader::Next::Frame) {
    r.frames.emplace_back(frame.bytes.begin(), frame.bytes.end());
    r.meta.push_back(frame);
  }
  r.error = reader.value()->error();
  return r;
}

// Little- or big-endian writers for hand-made files.
struct Writer {
  bool big = false;
  Bytes out;
  void u8(std::uint8_t v) { out.push_back(v); }
  void u16(std::uint16_t v) {
    if (big) {
      u8(static_cast<std::uint8_t>(v >> 8));
      u8(static_cast<std::uint8_t>(v));
    } else {
      u8(static_cast<std::uint8_t>(v));
      u8(static_cast<std::uint8_t>(v >> 8));
    }
  }
  void u32(std::uint32_t v) {
    if (big) {
      u16(static_cast<std::uint16_t>(v >> 16));
      u16(static_cast<std::uint16_t>(v));
    } else {
      u16(static_cast<std::uint16_t>(v));
      u16(static_cast<std::uint16_t>(v >> 16));
    }
  }
  void bytes(const Bytes& b) {
    out.insert(out.end(), b.begin(), b.end());
    while (out.size() % 4 != 0) out.push_back(0);
  }
  // A block: type, total length, body, total length.
  void block(std::uint32_t type, const Bytes& body_le_or_be) {
    const std::uint32_t total = static_cast<std::uint32_t>(12 + ((body_le_or_be.size() + 3) & ~3u));
    u32(type);
    u32(total);
    bytes(body_le_or_be);
    u32(total);
  }
  Writer sub() const { return Writer{big, {}}; }
  void section() {
    Writer b = sub();
    b.u32(0x1A2B3C4D);
    b.u16(1);
    b.u16(0);
    b.u32(0xFFFFFFFF);
    b.u32(0xFFFFFFFF);  // section length unknown
    block(0x0A0D0D0A, b.out);
  }
  void interface(std::uint16_t linktype, int tsresol = -1) {
    Writer b = sub();
    b.u16(linktype);
    b.u16(0);
    b.u32(65535);
    if (tsresol >= 0) {
      b.u16(9);
      b.u16(1);
      b.bytes({static_cast<std::uint8_t>(tsresol)});
      b.u16(0);
      b.u16(0);
    }
    block(1, b.out);
  }
  void enhanced(std::uint32_t interface, std::uint64_t ticks, const Bytes& data) {
    Writer b = sub();
    b.u32(interface);
    b.u32(static_cast<std::uint32_t>(ticks >> 32));
    b.u32(static_cast<std::uint32_t>(ticks));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.u32(static_cast<std::uint32_t>(data.size() + 100));
    b.bytes(data);
    block(6, b.out);
  }
  void simple(const Bytes& data) {
    Writer b = sub();
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    block(3, b.out);
  }
  void obsolete(std::uint16_t interface, std::uint64_t ticks, const Bytes& data) {
    Writer b = sub();
    b.u16(interface);
    b.u16(0);
    b.u32(static_cast<std::uint32_t>(ticks >> 32));
    b.u32(static_cast<std::uint32_t>(ticks));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    block(2, b.out);
  }
};

const Bytes kA = {1, 2, 3, 4, 5};
const Bytes kB = {6, 7, 8};
const Bytes kC = {9, 10, 11, 12, 13, 14, 15, 16, 17};

Bytes libpcap_file(int linktype, u_int precision, const std::vector<Bytes>& packets) {
  char path[] = "/tmp/capture_reader_testXXXXXX";
  const int fd = ::mkstemp(path);
  ::close(fd);
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(linktype, 65535, precision);
  pcap_dumper_t* dumper = pcap_dump_open(dead, path);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(1700000000 + i);
    header.ts.tv_usec = precision == PCAP_TSTAMP_PRECISION_NANO ? 123456789 : 123456;
    header.caplen = header.len = static_cast<bpf_u_int32>(packets[i].size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, packets[i].data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  std::FILE* f = std::fopen(path, "rb");
  Bytes out;
  for (int c; (c = std::fgetc(f)) != EOF;) out.push_back(static_cast<std::uint8_t>(c));
  std::fclose(f);
  std::remove(path);
  return out;
}

TEST(CaptureReader, ClassicPcapAsLibpcapWritesIt) {
  for (u_int precision : {PCAP_TSTAMP_PRECISION_MICRO, PCAP_TSTAMP_PRECISION_NANO}) {
    const Read r = read_all(libpcap_file(DLT_EN10MB, precision, {kA, kB}));
    ASSERT_EQ(r.last, CaptureReader::Next::End) << r.error;
    ASSERT_EQ(r.frames.size(), 2u);
    EXPECT_EQ(r.frames[0], kA);
    EXPECT_EQ(r.frames[1], kB);
    EXPECT_EQ(r.meta[1].time_us, 1700000001ull * 1000000 + 123456);
    EXPECT_EQ(r.meta[0].link, filters::LinkType::Ethernet);
  }
  // LINKTYPE_RAW is DLT_RAW (12) in libpcap's API and 101 in the file.
  const Read raw = read_all(libpcap_file(DLT_RAW, PCAP_TSTAMP_PRECISION_MICRO, {kA}));
  ASSERT_EQ(raw.frames.size(), 1u);
  EXPECT_EQ(raw.meta[0].linktype, 101u);
  EXPECT_EQ(raw.meta[0].link, filters::LinkType::RawIp);
  const Read sll2 = read_all(libpcap_file(DLT_LINUX_SLL2, PCAP_TSTAMP_PRECISION_MICRO, {kA}));
  EXPECT_EQ(sll2.meta.at(0).link, filters::LinkType::LinuxSll2);
}

TEST(CaptureReader, BigEndianPcap) {
  Writer w{true, {}};
  w.u32(0xA1B2C3D4);
  w.u16(2);
  w.u16(4);
  w.u32(0);
  w.u32(0);
  w.u32(65535);
  w.u32(104);  // Cisco HDLC
  w.u32(1700000000);
  w.u32(5);
  w.u32(static_cast<std::uint32_t>(kC.size()));
  w.u32(static_cast<std::uint32_t>(kC.size()));
  w.out.insert(w.out.end(), kC.begin(), kC.end());
  const Read r = read_all(w.out);
  ASSERT_EQ(r.last, CaptureReader::Next::End) << r.error;
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0], kC);
  EXPECT_EQ(r.meta[0].link, filters::LinkType::CiscoHdlc);
  EXPECT_EQ(r.meta[0].time_us, 1700000000ull * 1000000 + 5);
}

TEST(CaptureReader, PcapngWithInterfacesOfDifferentLinkTypesInBothByteOrders) {
  for (bool big : {false, true}) {
    SCOPED_TRACE(big ? "big endian" : "little endian");
    Writer w{big, {}};
    w.section();
    w.interface(1);          // Ethernet, microseconds
    w.interface(101, 9);     // raw IP, nanoseconds
    w.interface(276, 0x80 | 20);  // SLL2, 2^-20 s
    w.interface(147);        // a user link type Takedown does not decode
    w.enhanced(0, 1700000000ull * 1000000 + 1, kA);
    w.block(4, Bytes(16, 0));  // a name resolution block: skipped
    w.enhanced(1, 1700000000ull * 1000000000 + 2000, kB);
    w.enhanced(2, std::uint64_t{3} << 20, kC);
    w.enhanced(3, 0, kA);
    w.simple(kC);  // interface 0
    w.obsolete(1, 5000, kA);
    // A second section starts its own interface numbering.
    w.section();
    w.interface(229);
    w.enhanced(0, 7, kB);
    const Read r = read_all(w.out);
    ASSERT_EQ(r.last, CaptureReader::Next::End) << r.error;
    ASSERT_EQ(r.frames.size(), 7u);
    EXPECT_EQ(r.frames[0], kA);
    EXPECT_EQ(r.meta[0].link, filters::LinkType::Ethernet);
    EXPECT_EQ(r.meta[0].time_us, 1700000000ull * 1000000 + 1);
    EXPECT_EQ(r.meta[0].original_length, kA.size() + 100);
    EXPECT_EQ(r.frames[1], kB);
    EXPECT_EQ(r.meta[1].link, filters::LinkType::RawIp);
    EXPECT_EQ(r.meta[1].time_us, 1700000000ull * 1000000 + 2);
    EXPECT_EQ(r.meta[2].link, filters::LinkType::LinuxSll2);
    EXPECT_EQ(r.meta[2].time_us, 3000000u);
    EXPECT_EQ(r.meta[3].linktype, 147u);
    EXPECT_FALSE(r.meta[3].link.has_value());
    EXPECT_EQ(r.frames[4], kC);
    EXPECT_EQ(r.meta[4].interface, 0u);
    EXPECT_EQ(r.frames[5], kA);
    EXPECT_EQ(r.meta[5].link, filters::LinkType::RawIp);
    EXPECT_EQ(r.meta[5].time_us, 5u);
    EXPECT_EQ(r.meta[6].link, filters::LinkType::RawIpv6);
    EXPECT_EQ(r.meta[6].interface, 0u);
  }
}

void expect_error(const Bytes& file, const std::string& text, std::size_t frames_before = 0) {
  const Read r = read_all(file);
  EXPECT_EQ(r.last, CaptureReader::Next::Error);
  EXPECT_EQ(r.frames.size(), frames_before);
  EXPECT_NE(r.error.find("test.cap"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(text), std::string::npos) << r.error;
}

TEST(CaptureReader, MalformedFilesNameTheOffsetAndWhatWasExpected) {
  expect_error({}, "shorter than a pcap or pcapng file header");
  expect_error(Bytes(200, 'x'), "magic 0x78787878 is neither pcap's nor pcapng's");
  Bytes pcap = libpcap_file(DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, {kA, kB});
  expect_error(Bytes(pcap.begin(), pcap.begin() + 20), "file header is cut short");
  expect_error(Bytes(pcap.begin(), pcap.end() - 1), "the record at byte 45 is cut short", 1);
  expect_error(Bytes(pcap.begin(), pcap.end() - 10), "the record header at byte 45 is cut short", 1);
  Bytes huge = pcap;
  huge[24 + 8 + 3] = 0x7F;  // the first record claims about 2 GiB
  expect_error(huge, "the record at byte 24 claims", 0);

  Writer w;
  w.section();
  w.interface(1);
  w.enhanced(0, 1, kA);
  const Bytes good = w.out;
  EXPECT_EQ(read_all(good).frames.size(), 1u);
  const std::size_t epb = good.size() - 40;  // 12 + 20 + 8 bytes of data (5, padded)
  expect_error(Bytes(good.begin(), good.end() - 4), "the pcapng block at byte " +
                                                       std::to_string(epb) + " is cut short");
  Bytes bad_length = good;
  bad_length[epb + 4] = 13;
  expect_error(bad_length, "has length");
  Bytes bad_trailer = good;
  bad_trailer[good.size() - 4] = 44;
  expect_error(bad_trailer, "does not end with its length");
  Writer unknown;
  unknown.section();
  unknown.interface(1);
  unknown.enhanced(3, 1, kA);
  expect_error(unknown.out, "interface id or captured length does not fit (1 interfaces so far)");
  Bytes no_bom = good;
  no_bom[8] = 0;
  expect_error(no_bom, "has no byte-order magic");
}

}  // namespace
}  // namespace takedown::control
