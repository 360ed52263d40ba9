// Port set-up: the mbuf pool, sized from the ports, queues and rings (plus the frames a net_pcap
// device with infinite_rx keeps), and each port configured,
// started and (at exit) stopped and closed.
//
// Every port gets its configured rx queues (RSS over IP, UDP and TCP when there are several) and
// one tx queue per worker at least, so each worker sends on queues of its own. Ports run
// promiscuous: an inline filter forwards frames that are not addressed to it. Every failure
// returns an Error naming the port, its device and the DPDK call. Cold path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control/schema/dataplane_config.hpp"
#include "filters/common/result.hpp"
#include "filters/packet/link_type.hpp"

struct rte_mempool;

namespace takedown::dataplane {

inline constexpr std::uint16_t kRxRingSize = 1024;
inline constexpr std::uint16_t kTxRingSize = 1024;

struct Port {
  std::string name;
  std::uint16_t port_id = 0;
  std::uint16_t rx_queues = 1;
  std::uint16_t tx_queues = 1;
  std::uint16_t rx_ring = kRxRingSize;
  std::uint16_t tx_ring = kTxRingSize;
  std::size_t peer = 0;  // index of the paired port
  // What the port's frames start with: Ethernet, or a replayed capture's link type. Both ports of
  // a pair have the same one (a frame is forwarded with the link header it came with).
  filters::LinkType link = filters::LinkType::Ethernet;
  std::string device{};  // the DPDK device string (net_pcap arguments are read from it)
};

// The number of mbufs the data path can hold at once, with slack for replies in flight.
std::uint32_t mbuf_pool_size(const schema::DataplaneConfig& config, unsigned lcores,
                             std::uint32_t per_worker_buffered);

// Finds the configured ports among the probed devices, creates the pool and starts every port.
Result<std::vector<Port>> start_ports(const schema::DataplaneConfig& config,
                                      std::uint32_t per_worker_buffered, rte_mempool** pool);

// Stops and closes every port; pcap devices flush their output files here, and the tx files of
// ports that replay a non-Ethernet capture get its link type in their header.
void stop_ports(const std::vector<Port>& ports);

}  // namespace takedown::dataplane
