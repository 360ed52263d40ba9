// pcap_replay_frames(): how many frames a net_pcap device with `infinite_rx=1` keeps in mbufs.
//
// In that mode the pcap PMD loads the whole rx_pcap file into mbufs at queue set-up and replays
// them forever, so the pool must hold them on top of the rings. This counts the records of the
// file (classic pcap, either byte order and timestamp precision) for such devices; 0 otherwise.
// Cold path; no DPDK.
#pragma once

#include <cstdint>
#include <string>

#include "filters/common/result.hpp"
#include "filters/packet/link_type.hpp"

namespace takedown::dataplane {

Result<std::uint64_t> pcap_replay_frames(const std::string& device);

// The link type of the frames a net_pcap device's rx_pcap holds (classic pcap: its header;
// pcapng: its first interface), so that a capture of raw IP, SLL, SLL2, Cisco HDLC, null or loop
// frames replays as it was taken. Ethernet for every other device. An error names a link type
// Takedown does not decode.
Result<filters::LinkType> pcap_link_type(const std::string& device);

// The pcap PMD writes every tx_pcap file as Ethernet (LINKTYPE 1). For a port that replays another
// link type, takedownd rewrites the link type in the file's header after the port is closed, so
// the frames it forwarded (with the link header they came with) read back as they are.
Result<bool> relabel_tx_pcap(const std::string& device, filters::LinkType link);

}  // namespace takedown::dataplane
