// HeldFrames: one worker's QUIC datagrams that leave their flow's name incomplete (Chromium's
// post-quantum ClientHello spans two Initials, and the server name is often in the second), held
// until the name is complete or a deadline passes. Then they go with the name's verdict: sent
// on before the datagram that completed it, or dropped with it, so a blocked name's Initials
// never reach the server. At the deadline they are sent on (the name never came).
//
// A ring in arrival order, fixed at start-up: holding, taking a flow's frames and expiring cost
// no allocation, and with one hold time the oldest frame is always the next to expire. A flow's
// frames are taken from the middle by clearing their slots; cleared slots at the head are
// skipped. When the ring is full the caller sends the frame on at once (fail open, counted).
// Flows are told apart by the hash of their flow key.
#pragma once

#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace takedown::dataplane {

class HeldFrames {
 public:
  struct Held {
    rte_mbuf* frame = nullptr;  // nullptr: taken
    std::uint64_t flow = 0;
    std::uint64_t deadline = 0;
    std::size_t rx_port = 0;  // the port it came in on
  };

  // `capacity` is rounded up to a power of two; `hold_ticks` 0 holds nothing.
  HeldFrames(std::size_t capacity, std::uint64_t hold_ticks) : hold_ticks_(hold_ticks) {
    std::size_t size = 1;
    while (size < capacity) size <<= 1;
    ring_.resize(size);
    mask_ = size - 1;
  }

  bool enabled() const { return hold_ticks_ != 0; }
  std::size_t held() const { return held_; }

  // False when the ring is full: the caller sends the frame on.
  bool hold(rte_mbuf* frame, std::uint64_t flow, std::size_t rx_port, std::uint64_t now) {
    if (tail_ - head_ == ring_.size()) return false;
    ring_[tail_++ & mask_] = Held{frame, flow, now + hold_ticks_, rx_port};
    ++held_;
    return true;
  }

  // Hands every frame held for `flow` to `f(const Held&)`, oldest first, and forgets them.
  template <typename F>
  void take(std::uint64_t flow, F&& f) {
    if (held_ == 0) return;
    for (std::size_t i = head_; i != tail_; ++i) {
      Held& h = ring_[i & mask_];
      if (h.frame == nullptr || h.flow != flow) continue;
      f(static_cast<const Held&>(h));
      h.frame = nullptr;
      --held_;
    }
    skip_taken();
  }

  // Hands the frames whose deadline has passed to `f`, oldest first.
  template <typename F>
  void expire(std::uint64_t now, F&& f) {
    while (head_ != tail_) {
      Held& h = ring_[head_ & mask_];
      if (h.frame != nullptr) {
        if (h.deadline > now) return;
        f(static_cast<const Held&>(h));
        h.frame = nullptr;
        --held_;
      }
      ++head_;
    }
  }

  // Every frame still held (the worker is stopping), oldest first.
  template <typename F>
  void take_all(F&& f) {
    expire(~std::uint64_t{0}, f);
  }

 private:
  void skip_taken() {
    while (head_ != tail_ && ring_[head_ & mask_].frame == nullptr) ++head_;
  }

  std::vector<Held> ring_;
  std::size_t mask_ = 0;
  std::size_t head_ = 0;  // positions grow without bound; the slot is position & mask_
  std::size_t tail_ = 0;
  std::size_t held_ = 0;
  std::uint64_t hold_ticks_;
};

}  // namespace takedown::dataplane
