#include "filters/packet/link_type.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(LinkType, TAKEDOWN_LINK_TYPES)

namespace {

struct Known {
  std::uint32_t linktype;
  LinkType type;
};

// LINKTYPE_ETHERNET 1, RAW 101, IPV4 228, IPV6 229, LINUX_SLL 113, LINUX_SLL2 276, C_HDLC 104,
// NULL 0, LOOP 108. DLT_RAW is 12 or 14 in some systems' headers, but files carry 101.
constexpr Known kKnown[] = {
    {1, LinkType::Ethernet},    {101, LinkType::RawIp},     {228, LinkType::RawIpv4},
    {229, LinkType::RawIpv6},   {113, LinkType::LinuxSll},  {276, LinkType::LinuxSll2},
    {104, LinkType::CiscoHdlc}, {0, LinkType::BsdNull},     {108, LinkType::BsdLoop},
};

}  // namespace

std::optional<LinkType> link_type_of_pcap(std::uint32_t linktype) {
  for (const Known& k : kKnown) {
    if (k.linktype == linktype) return k.type;
  }
  return std::nullopt;
}

std::uint32_t pcap_linktype_of(LinkType type) {
  for (const Known& k : kKnown) {
    if (k.type == type) return k.linktype;
  }
  return 1;
}

}  // namespace takedown::filters
