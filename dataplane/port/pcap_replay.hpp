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

namespace takedown::dataplane {

Result<std::uint64_t> pcap_replay_frames(const std::string& device);

}  // namespace takedown::dataplane
