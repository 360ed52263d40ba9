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

// What a frame on the tx ring is: a forwarded original or one of the replies.
enum class TxKind : std::uint8_t { Forward, Answer, TcpAnswer, Page, Reset };
inline constexpr unsigned kTxKinds = 5;

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
    for (unsigned k = 0; k < kTxKinds; ++k) sent_counter(static_cast<TxKind>(k), counters) += by_kind_[k];
    for (std::uint16_t i = sent; i < count_; ++i) {
      bytes_ -= rte_pktmbuf_pkt_len(mbufs_[i]);
      rte_pktmbuf_free(mbufs_[i]);
      sent_counter(kinds_[i], counters) -= 1;
      (kinds_[i] == TxKind::Forward ? counters.tx_errors : counters.reply_errors) += 1;
    }
    port_->tx_bytes += bytes_;
    bytes_ = 0;
    count_ = 0;
    for (auto& n : by_kind_) n = 0;
  }

  std::uint16_t pending() const { return count_; }

 private:
  static std::uint64_t& sent_counter(TxKind kind, WorkerCounters& counters) {
    switch (kind) {
      case TxKind::Forward:
        return counters.tx_packets;
      case TxKind::Answer:
        return counters.responses_sent;
      case TxKind::TcpAnswer:
        return counters.tcp_answers_sent;
      case TxKind::Page:
        return counters.pages_sent;
      case TxKind::Reset:
        break;
    }
    return counters.resets_sent;
  }

  rte_mbuf* mbufs_[kSize];
  TxKind kinds_[kSize];
  std::uint16_t by_kind_[kTxKinds] = {};
  std::uint64_t bytes_ = 0;
  std::uint16_t count_ = 0;
  std::uint16_t port_id_ = 0;
  std::uint16_t queue_ = 0;
  PortCounters* port_ = nullptr;
};

}  // namespace takedown::dataplane
