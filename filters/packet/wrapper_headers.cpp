#include "filters/packet/wrapper_headers.hpp"

#include "filters/common/byte_order.hpp"

namespace takedown::filters::wrapper {

namespace {

constexpr auto fail = DecodeResult::fail;

Read failed(DecodeStatus status, DecodeReason reason) { return Read{fail(status, reason)}; }

Read inner(Inner kind, std::size_t at, std::size_t end) { return Read{{}, kind, at, end}; }

constexpr std::uint16_t kPppIpv4 = 0x0021;
constexpr std::uint16_t kPppIpv6 = 0x0057;

constexpr std::uint16_t kGreChecksum = 0x8000;
constexpr std::uint16_t kGreKey = 0x2000;
constexpr std::uint16_t kGreSequence = 0x1000;
// Routing (RFC 1701), strict source route, recursion control and the reserved bits: RFC 2784
// says to discard a packet with any of them set.
constexpr std::uint16_t kGreMustBeZero = 0x4000 | 0x0800 | 0x0700 | 0x00F8;
constexpr std::uint16_t kGreVersion = 0x0007;

constexpr std::uint8_t kGtpuGpdu = 0xFF;
constexpr std::uint8_t kGtpuVersion1 = 0x20;
constexpr std::uint8_t kGtpuProtocolType = 0x10;
constexpr std::uint8_t kGtpuOptionalFields = 0x07;  // E, S, PN
constexpr std::uint8_t kGtpuExtensionFlag = 0x04;

}  // namespace

Read pppoe(const std::uint8_t* frame, std::size_t at, std::size_t end) {
  if (end - at < 8) return failed(DecodeStatus::Truncated, DecodeReason::PppoeShort);
  const std::uint8_t* h = frame + at;
  if (h[0] != 0x11 || h[1] != 0) return failed(DecodeStatus::Malformed, DecodeReason::PppoeBadHeader);
  const std::size_t length = load_be16(h + 4);  // the PPP frame: protocol and data
  if (length < 2) return failed(DecodeStatus::Malformed, DecodeReason::PppoeBadLength);
  if (length > end - at - 6) return failed(DecodeStatus::Truncated, DecodeReason::PppoeBadLength);
  const std::uint16_t protocol = load_be16(h + 6);
  const std::size_t inner_end = at + 6 + length;
  if (protocol == kPppIpv4) return inner(Inner::Ipv4, at + 8, inner_end);
  if (protocol == kPppIpv6) return inner(Inner::Ipv6, at + 8, inner_end);
  return failed(DecodeStatus::NotApplicable, DecodeReason::PppNotIp);
}

Read mpls(const std::uint8_t* frame, std::size_t at, std::size_t end) {
  std::size_t p = at;
  for (std::size_t labels = 0;; ++labels) {
    if (labels == kMaxMplsLabels)
      return failed(DecodeStatus::NotApplicable, DecodeReason::MplsTooManyLabels);
    if (end - p < 4) return failed(DecodeStatus::Truncated, DecodeReason::MplsShort);
    const bool bottom = (frame[p + 2] & 0x01) != 0;
    p += 4;
    if (bottom) break;
  }
  if (p == end) return failed(DecodeStatus::Truncated, DecodeReason::MplsShort);
  switch (frame[p] >> 4) {
    case 4:
      return inner(Inner::Ipv4, p, end);
    case 6:
      return inner(Inner::Ipv6, p, end);
    case 0:  // the pseudowire control word (RFC 4385), then the emulated Ethernet frame
      if (end - p < 4) return failed(DecodeStatus::Truncated, DecodeReason::MplsShort);
      return inner(Inner::Ethernet, p + 4, end);
    default:
      return failed(DecodeStatus::NotApplicable, DecodeReason::MplsUnknownPayload);
  }
}

std::size_t gre_key_offset(const std::uint8_t* gre) {
  const std::uint16_t flags = load_be16(gre);
  if ((flags & kGreKey) == 0) return 0;
  return (flags & kGreChecksum) != 0 ? 8 : 4;
}

Read gre(const std::uint8_t* frame, std::size_t at, std::size_t end) {
  if (end - at < 4) return failed(DecodeStatus::Truncated, DecodeReason::GreShort);
  const std::uint8_t* h = frame + at;
  const std::uint16_t flags = load_be16(h);
  // Version 1 is PPTP's enhanced GRE, which carries PPP.
  if ((flags & kGreVersion) != 0) return failed(DecodeStatus::NotApplicable, DecodeReason::GreNotIp);
  if ((flags & kGreMustBeZero) != 0)
    return failed(DecodeStatus::Malformed, DecodeReason::GreBadHeader);
  const std::size_t length = 4 + ((flags & kGreChecksum) != 0 ? 4 : 0) +
                             ((flags & kGreKey) != 0 ? 4 : 0) +
                             ((flags & kGreSequence) != 0 ? 4 : 0);
  if (end - at < length) return failed(DecodeStatus::Truncated, DecodeReason::GreShort);
  const std::size_t next = at + length;
  switch (load_be16(h + 2)) {
    case kEtherIpv4:
      return inner(Inner::Ipv4, next, end);
    case kEtherIpv6:
      return inner(Inner::Ipv6, next, end);
    case kEtherBridging:
      return inner(Inner::Ethernet, next, end);
    case kEtherMpls:
    case kEtherMplsMulticast:
      return inner(Inner::Mpls, next, end);
    default:
      return failed(DecodeStatus::NotApplicable, DecodeReason::GreNotIp);
  }
}

Read vxlan(const std::uint8_t* frame, std::size_t at, std::size_t end) {
  if (end - at < 8) return failed(DecodeStatus::Truncated, DecodeReason::VxlanShort);
  // The I flag says the VNI is valid; the other bits are reserved and ignored on receipt.
  if ((frame[at] & 0x08) == 0) return failed(DecodeStatus::Malformed, DecodeReason::VxlanBadFlags);
  return inner(Inner::Ethernet, at + 8, end);
}

Read gtpu(const std::uint8_t* frame, std::size_t at, std::size_t end) {
  if (end - at < 8) return failed(DecodeStatus::Truncated, DecodeReason::GtpuShort);
  const std::uint8_t* h = frame + at;
  if ((h[0] & 0xE0) != kGtpuVersion1 || (h[0] & kGtpuProtocolType) == 0)
    return failed(DecodeStatus::Malformed, DecodeReason::GtpuBadHeader);
  if (h[1] != kGtpuGpdu) return failed(DecodeStatus::NotApplicable, DecodeReason::GtpuNotGpdu);
  const std::size_t length = load_be16(h + 2);  // what follows the mandatory 8 bytes
  if (length > end - at - 8) return failed(DecodeStatus::Malformed, DecodeReason::GtpuBadLength);
  const std::size_t inner_end = at + 8 + length;
  std::size_t p = at + 8;
  if ((h[0] & kGtpuOptionalFields) != 0) {
    if (inner_end - p < 4) return failed(DecodeStatus::Malformed, DecodeReason::GtpuBadLength);
    std::uint8_t next = (h[0] & kGtpuExtensionFlag) != 0 ? frame[p + 3] : 0;
    p += 4;
    for (std::size_t extensions = 0; next != 0; ++extensions) {
      if (extensions == kMaxGtpuExtensions || inner_end - p < 4)
        return failed(DecodeStatus::Malformed, DecodeReason::GtpuBadExtension);
      const std::size_t units = frame[p];  // of 4 bytes, the length byte and next type included
      if (units == 0 || units * 4 > inner_end - p)
        return failed(DecodeStatus::Malformed, DecodeReason::GtpuBadExtension);
      next = frame[p + units * 4 - 1];
      p += units * 4;
    }
  }
  if (p == inner_end) return failed(DecodeStatus::NotApplicable, DecodeReason::GtpuNotIp);
  const std::uint8_t version = frame[p] >> 4;
  if (version != 4 && version != 6) return failed(DecodeStatus::NotApplicable, DecodeReason::GtpuNotIp);
  return inner(Inner::IpByVersion, p, inner_end);
}

}  // namespace takedown::filters::wrapper
