// extract_name(): from one frame to the name a filter decides on, by protocol and port.
//
// UDP to a DNS port: the query name. TCP to a DNS port: the first query of the segment (after
// the 2-byte length). TCP to an HTTP port: the request's Host and path. TCP to a TLS port: the
// ClientHello's server_name. Ports come from ExtractPorts (53; 80 and 8080; 443 by default).
// The result keeps the decoded packet (for the reply or the reset), the protocol's parse
// result, and a reason string for counters whenever no name came out ("none" when one did).
//
// A name that spans packets (a ClientHello over several segments, a QUIC Initial) is FlowTracker's
// (filters/flow/flow_tracker.hpp), which starts from what this function left.
//
// Hot path: no allocation, no exception; safe on any thread; one Extraction per packet slot.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "filters/common/enum_text.hpp"
#include "filters/common/port_list.hpp"
#include "filters/dns/dns_query.hpp"
#include "filters/http/http_request.hpp"
#include "filters/packet/packet_decoder.hpp"
#include "filters/tls/client_hello.hpp"

namespace takedown::filters {

#define TAKEDOWN_PROTOCOLS(X) \
  X(None, "none")             \
  X(Dns, "dns")               \
  X(Http, "http")             \
  X(Tls, "tls")               \
  X(Quic, "quic")

TAKEDOWN_ENUM(Protocol, TAKEDOWN_PROTOCOLS)

// Up to 8 ports per protocol; unused entries are 0. `decode` says which wrappers around the inner
// packet are opened (PPPoE, MPLS, GRE, VXLAN, GTP-U, IP in IP) and on which UDP ports.
struct ExtractPorts {
  static constexpr std::size_t kMax = 8;
  std::array<std::uint16_t, kMax> dns{53};
  std::array<std::uint16_t, kMax> http{80, 8080};
  std::array<std::uint16_t, kMax> tls{443};
  std::array<std::uint16_t, kMax> quic{443};  // UDP: QUIC Initials, read by FlowTracker
  DecodeOptions decode;

  static bool listed(const std::array<std::uint16_t, kMax>& ports, std::uint16_t port) {
    return port_listed(ports, port);
  }
};

struct Extraction {
  Protocol protocol = Protocol::None;
  DecodeStatus status = DecodeStatus::NotApplicable;
  std::string_view reason = "none";  // the counter label of the layer that stopped, or "none"
  bool decoded = false;      // `packet` holds the frame's headers down to the transport
  bool reassembled = false;  // the name took bytes from more than one packet (FlowTracker)
  std::uint16_t packets = 1; // packets whose bytes the name was read from
  DecodedPacket packet;
  DnsQuery dns;
  HttpRequest http;
  ClientHello tls;

  // The extracted name, or nullptr. A truncated ClientHello still has one when the SNI was seen.
  // Inline: the worker asks it of every frame, several times.
  const DomainName* name() const {
    switch (protocol) {
      case Protocol::Dns:
        return status == DecodeStatus::Ok ? &dns.name : nullptr;
      case Protocol::Http:
        return status == DecodeStatus::Ok ? &http.host : nullptr;
      case Protocol::Tls:
      case Protocol::Quic:
        return tls.has_name ? &tls.server_name : nullptr;
      case Protocol::None:
        break;
    }
    return nullptr;
  }
};

// `link` is what the frame starts with: Ethernet on a data-plane port, a capture's link type in
// takedownctl inspect.
void extract_name(std::span<const std::uint8_t> frame, const ExtractPorts& ports, Extraction& out,
                  LinkType link = LinkType::Ethernet);

}  // namespace takedown::filters
