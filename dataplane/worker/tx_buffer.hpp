// TxBuffer: one worker's frames waiting for one tx queue, each tagged with what it is.
//
// Like rte_eth_tx_buffer, but it remembers whether a frame is a forwarded original, a DNS answer
// or a TCP reset, so that a frame the tx ring refuses is freed and counted where it belongs
// (tx_errors for originals, reply_errors for replies) and sent frames are counted by kind.
// Owned by one worker; never shared. Hot path: no allocation, no lock.
#pragma once

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/stats/worker_counters.hpp"

namespace takedown::dataplane {

enum class TxKind : std::uint8_t { Forward, Answer, Reset };

class TxBuffer {
 public:
  static constexpr std::uint16_t kSize = 64;

  void bind(std::uint16_t port_id, std::uint16_t queue, PortCounters* port) {
    port_id_ = port_id;
    queue_ = queue;
    port_ = port;
  }

  void push(rte_mbuf* m, TxKind kind, WorkerCounters& counters) {
    mbufs_[count_] = m;
    kinds_[count_] = kind;
    ++by_kind_[static_cast<unsigned>(kind)];
    bytes_ += rte_pktmbuf_pkt_len(m);
    if (++count_ == kSize) flush(counters);
  }

  void flush(WorkerCounters& counters) {
    if (count_ == 0) return;
    const std::uint16_t sent = rte_eth_tx_burst(port_id_, queue_, mbufs_, count_);
    port_->tx += sent;
    // Count everything as sent, then move what the ring refused over to the error counters.
    counters.tx_packets += by_kind_[static_cast<unsigned>(TxKind::Forward)];
    counters.responses_sent += by_kind_[static_cast<unsigned>(TxKind::Answer)];
    counters.resets_sent += by_kind_[static_cast<unsigned>(TxKind::Reset)];
    for (std::uint16_t i = sent; i < count_; ++i) {
      bytes_ -= rte_pktmbuf_pkt_len(mbufs_[i]);
      rte_pktmbuf_free(mbufs_[i]);
      switch (kinds_[i]) {
        case TxKind::Forward:
          counters.tx_packets -= 1;
          counters.tx_errors += 1;
          break;
        case TxKind::Answer:
          counters.responses_sent -= 1;
          counters.reply_errors += 1;
          break;
        case TxKind::Reset:
          counters.resets_sent -= 1;
          counters.reply_errors += 1;
          break;
      }
    }
    port_->tx_bytes += bytes_;
    bytes_ = 0;
    count_ = 0;
    by_kind_[0] = by_kind_[1] = by_kind_[2] = 0;
  }

  std::uint16_t pending() const { return count_; }

 private:
  rte_mbuf* mbufs_[kSize];
  TxKind kinds_[kSize];
  std::uint16_t by_kind_[3] = {0, 0, 0};
  std::uint64_t bytes_ = 0;
  std::uint16_t count_ = 0;
  std::uint16_t port_id_ = 0;
  std::uint16_t queue_ = 0;
  PortCounters* port_ = nullptr;
};

}  // namespace takedown::dataplane
