#include "dataplane/port/port_setup.hpp"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstdio>

#include "dataplane/port/pcap_replay.hpp"

namespace takedown::dataplane {

namespace {

constexpr unsigned kPoolCache = 256;
constexpr std::uint32_t kReplySlack = 1024;
// Ethernet header, two VLAN tags and the CRC around the MTU.
constexpr std::uint32_t kFrameOverhead = 14 + 8 + 4;

std::string where(const schema::PortConfig& port) {
  return "port '" + port.name + "' (" + port.dpdk_name() + ")";
}

Error dpdk_error(const schema::PortConfig& port, const std::string& call, int code) {
  return make_error(where(port) + ": " + call +
                    " failed: " + rte_strerror(code < 0 ? -code : code));
}

Result<bool> start_port(const schema::PortConfig& config, Port& port, unsigned workers,
                        rte_mempool* pool) {
  rte_eth_dev_info info{};
  int rc = rte_eth_dev_info_get(port.port_id, &info);
  if (rc != 0) return dpdk_error(config, "rte_eth_dev_info_get", rc);
  port.rx_queues = config.rx_queues;
  port.tx_queues = std::max<std::uint16_t>(config.tx_queues, static_cast<std::uint16_t>(workers));
  if (port.rx_queues > info.max_rx_queues || port.tx_queues > info.max_tx_queues) {
    return make_error(where(config) + ": needs " + std::to_string(port.rx_queues) + " rx and " +
                      std::to_string(port.tx_queues) + " tx queues (one tx queue per worker); " +
                      "the device has at most " + std::to_string(info.max_rx_queues) + " and " +
                      std::to_string(info.max_tx_queues));
  }
  rte_eth_conf conf{};
  // A symmetric Toeplitz key (0x6d5a repeated: Woo and Park, "Scalable TCP Session Monitoring with
  // Symmetric Receive-side Scaling"): both directions of a flow hash alike, so every packet of a
  // flow, and a server's Retry, reaches the worker that holds the flow's entry.
  std::uint8_t symmetric_key[64];
  for (std::size_t i = 0; i < sizeof symmetric_key; i += 2) {
    symmetric_key[i] = 0x6d;
    symmetric_key[i + 1] = 0x5a;
  }
  if (port.rx_queues > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) & info.flow_type_rss_offloads;
    // Devices without a settable key (virtual ones) spread by their own hash; net_af_packet's
    // kernel fanout hash is symmetric too.
    if (info.hash_key_size != 0 && info.hash_key_size <= sizeof symmetric_key) {
      conf.rx_adv_conf.rss_conf.rss_key = symmetric_key;
      conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size;
    }
  }
  if (config.mtu != 0) conf.rxmode.mtu = config.mtu;
  rc = rte_eth_dev_configure(port.port_id, port.rx_queues, port.tx_queues, &conf);
  if (rc != 0) return dpdk_error(config, "rte_eth_dev_configure", rc);
  rc = rte_eth_dev_adjust_nb_rx_tx_desc(port.port_id, &port.rx_ring, &port.tx_ring);
  if (rc != 0) return dpdk_error(config, "rte_eth_dev_adjust_nb_rx_tx_desc", rc);
  const int socket = rte_eth_dev_socket_id(port.port_id);
  const unsigned numa = socket < 0 ? SOCKET_ID_ANY : static_cast<unsigned>(socket);
  for (std::uint16_t q = 0; q < port.rx_queues; ++q) {
    rc = rte_eth_rx_queue_setup(port.port_id, q, port.rx_ring, numa, nullptr, pool);
    if (rc != 0) return dpdk_error(config, "rte_eth_rx_queue_setup", rc);
  }
  for (std::uint16_t q = 0; q < port.tx_queues; ++q) {
    rc = rte_eth_tx_queue_setup(port.port_id, q, port.tx_ring, numa, nullptr);
    if (rc != 0) return dpdk_error(config, "rte_eth_tx_queue_setup", rc);
  }
  rc = rte_eth_dev_start(port.port_id);
  if (rc != 0) return dpdk_error(config, "rte_eth_dev_start", rc);
  // Not every device can (or needs to); an inline filter on a NIC does.
  rte_eth_promiscuous_enable(port.port_id);
  return true;
}

}  // namespace

std::uint32_t mbuf_pool_size(const schema::DataplaneConfig& config, unsigned lcores,
                             std::uint32_t per_worker_buffered) {
  std::uint32_t n = kReplySlack;
  for (const auto& port : config.ports) {
    const std::uint32_t tx_queues = std::max<std::uint32_t>(port.tx_queues, config.workers);
    n += port.rx_queues * std::uint32_t{kRxRingSize} + tx_queues * std::uint32_t{kTxRingSize};
  }
  n += config.workers * per_worker_buffered + lcores * kPoolCache;
  return n;
}

Result<std::vector<Port>> start_ports(const schema::DataplaneConfig& config,
                                      std::uint32_t per_worker_buffered, rte_mempool** pool) {
  std::vector<Port> ports(config.ports.size());
  std::uint16_t mtu = 0;
  for (std::size_t i = 0; i < config.ports.size(); ++i) {
    const auto& c = config.ports[i];
    if (rte_eth_dev_get_port_by_name(c.dpdk_name().c_str(), &ports[i].port_id) != 0) {
      return make_error(where(c) + ": no such device after EAL start-up; check the device " +
                        "string, and for a PCI port that it is bound to a DPDK driver");
    }
    ports[i].name = c.name;
    ports[i].device = c.device;
    ports[i].peer = config.peer(i);
    mtu = std::max(mtu, c.mtu);
    auto link = pcap_link_type(c.device);
    if (!link) return make_error(where(c) + ": " + link.error());
    ports[i].link = *link;
  }
  // A pair shares one link type: a port without a capture of its own takes its peer's.
  for (std::size_t i = 0; i < ports.size(); ++i) {
    Port& a = ports[i];
    Port& b = ports[a.peer];
    const bool a_replays = !schema::device_argument(a.device, "rx_pcap").empty();
    const bool b_replays = !schema::device_argument(b.device, "rx_pcap").empty();
    if (a_replays && b_replays && a.link != b.link) {
      return make_error(where(config.ports[i]) + ": replays " + std::string(to_string(a.link)) +
                        " frames but its peer '" + b.name + "' replays " +
                        std::string(to_string(b.link)) +
                        " frames; a pair forwards between one link type");
    }
    if (!a_replays && b_replays) a.link = b.link;
  }
  const std::uint32_t data_room = std::max<std::uint32_t>(
      RTE_MBUF_DEFAULT_BUF_SIZE, RTE_PKTMBUF_HEADROOM + mtu + kFrameOverhead);
  std::uint64_t size = mbuf_pool_size(config, rte_lcore_count(), per_worker_buffered);
  for (const auto& c : config.ports) {
    auto replayed = pcap_replay_frames(c.device);
    if (!replayed) return make_error(where(c) + ": " + replayed.error());
    size += *replayed * c.rx_queues;
  }
  *pool = rte_pktmbuf_pool_create("takedown_mbufs", static_cast<unsigned>(size), kPoolCache, 0,
                                  static_cast<std::uint16_t>(data_room), rte_socket_id());
  if (*pool == nullptr) {
    return make_error("cannot create a pool of " + std::to_string(size) + " mbufs of " +
                      std::to_string(data_room) + " bytes: " + rte_strerror(rte_errno) +
                      "; give the EAL more memory (-m in dataplane.eal, or hugepages)");
  }
  for (std::size_t i = 0; i < ports.size(); ++i) {
    auto started = start_port(config.ports[i], ports[i], config.workers, *pool);
    if (!started) return make_error(started.error());
  }
  return ports;
}

void stop_ports(const std::vector<Port>& ports) {
  for (const Port& port : ports) {
    rte_eth_dev_stop(port.port_id);
    rte_eth_dev_close(port.port_id);
    if (auto relabelled = relabel_tx_pcap(port.device, port.link); !relabelled) {
      std::fprintf(stderr, "takedownd: port '%s': %s\n", port.name.c_str(),
                   relabelled.error().c_str());
    }
  }
}

}  // namespace takedown::dataplane
