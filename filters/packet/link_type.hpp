// LinkType: what a frame starts with, as a capture's link-layer header type names it.
//
// The data plane's ports are Ethernet; captures an operator brings to `takedownctl inspect` or
// replays through net_pcap may start elsewhere: at the IP header (raw IP, raw IPv4, raw IPv6),
// at a Linux "cooked" header (SLL, SLL2: what `tcpdump -i any` writes), at a Cisco HDLC header
// (router taps), or at a BSD loopback family word (null: host byte order; loop: network byte
// order). The numbers are the pcap LINKTYPE_ values of tcpdump.org/linktypes.html, as pcap and
// pcapng files carry them. Pure functions, safe anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

#define TAKEDOWN_LINK_TYPES(X)  \
  X(Ethernet, "ethernet")       \
  X(RawIp, "raw")               \
  X(RawIpv4, "ipv4")            \
  X(RawIpv6, "ipv6")            \
  X(LinuxSll, "linux_sll")      \
  X(LinuxSll2, "linux_sll2")    \
  X(CiscoHdlc, "c_hdlc")        \
  X(BsdNull, "null")            \
  X(BsdLoop, "loop")

TAKEDOWN_ENUM(LinkType, TAKEDOWN_LINK_TYPES)

// The LinkType of a pcap LINKTYPE_ number, or nullopt for one Takedown does not decode.
std::optional<LinkType> link_type_of_pcap(std::uint32_t linktype);

// The pcap LINKTYPE_ number of `type` (the inverse of link_type_of_pcap).
std::uint32_t pcap_linktype_of(LinkType type);

}  // namespace takedown::filters
