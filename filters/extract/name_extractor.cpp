#include "filters/extract/name_extractor.hpp"

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(Protocol, TAKEDOWN_PROTOCOLS)

namespace {

// What a frame that yielded its name says (its reason is never counted): set without a call.
constexpr std::string_view kNoReason = "none";

bool listed(const std::array<std::uint16_t, ExtractPorts::kMax>& ports, std::uint16_t port) {
  return ExtractPorts::listed(ports, port);
}

}  // namespace

void extract_name(std::span<const std::uint8_t> frame, const ExtractPorts& ports, Extraction& out,
                  LinkType link) {
  out.protocol = Protocol::None;
  out.tls.has_name = false;
  out.reassembled = false;
  out.packets = 1;
  const DecodeResult decoded = decode_packet(frame, ports.decode, link, out.packet);
  out.status = decoded.status;
  out.decoded = decoded.status == DecodeStatus::Ok;
  if (decoded.status != DecodeStatus::Ok) {
    out.reason = to_string(decoded.reason);
    return;
  }

  const DecodedPacket& p = out.packet;
  const auto payload = frame.subspan(p.payload_offset, p.payload_length);
  const bool udp = p.l4_protocol == DecodedPacket::kUdp;
  out.status = DecodeStatus::NotApplicable;
  if (listed(ports.dns, p.dst_port)) {
    out.protocol = Protocol::Dns;
    if (!udp && payload.empty()) {
      out.reason = "tcp_no_payload";
      return;
    }
    const DnsResult r =
        udp ? parse_dns_query(payload, out.dns) : parse_dns_tcp_query(payload, out.dns);
    out.status = r.status;
    out.reason = r.status == DecodeStatus::Ok ? kNoReason : to_string(r.reason);
    return;
  }
  if (udp) {
    out.reason = "port_not_inspected";
    return;
  }
  if (payload.empty()) {
    out.reason = "tcp_no_payload";
    return;
  }
  if (listed(ports.http, p.dst_port)) {
    out.protocol = Protocol::Http;
    const HttpResult r = parse_http_request(payload, out.http);
    out.status = r.status;
    out.reason = to_string(r.reason);
  } else if (listed(ports.tls, p.dst_port)) {
    out.protocol = Protocol::Tls;
    const TlsResult r = parse_client_hello(payload, out.tls);
    out.status = r.status;
    out.reason = to_string(r.reason);
  } else {
    out.reason = "port_not_inspected";
  }
}

}  // namespace takedown::filters
