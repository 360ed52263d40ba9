// write_tcp_reset(): the RST segments that end a blocked TCP connection (HTTP, TLS, DNS over TCP).
//
// The blocked segment is never forwarded. Instead, one RST goes back to the client as if from the
// server (addresses and ports swapped, seq = the segment's ack, ack = its seq + payload length)
// and one goes on to the server as if from the client (seq = the segment's seq, which is exactly
// what the server expects next since the segment never reached it). Both carry RST|ACK, no
// payload, a plain inner IP header with TTL 64, the segment's VLAN tags and wrappers (see
// filters/respond/reply_headers.hpp) and correct checksums.
// When the segment has no ACK flag (a client that never heard from the server), the RST back
// carries seq 0, as RFC 9293 section 3.10.7.1 prescribes, and the RST onwards is a bare RST
// with a zero ack field.
//
// Hot path: no allocation; `out` must not overlap `frame`. Safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "filters/packet/packet_decoder.hpp"
#include "filters/respond/reply_headers.hpp"

namespace takedown::filters {

inline constexpr std::size_t kMaxTcpResetFrame = kMaxReplyHeaders + 20;

// Writes the RST for `direction` (Back: to the client, Onwards: to the server) of the TCP segment
// `packet` decoded from `frame` into `out` (kMaxTcpResetFrame bytes). Returns its length, or 0
// when `packet` is not TCP or no reset can take that direction (Back through MPLS or GTP-U).
std::size_t write_tcp_reset(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                            ReplyDirection direction, std::uint8_t* out);

}  // namespace takedown::filters
