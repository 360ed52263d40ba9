// write_tcp_stream_reply(): bytes sent back to a client inside its own TCP connection, then FIN.
//
// The blocked segment is not forwarded. The reply goes back as if from the server: addresses
// and ports swapped, seq = the segment's ack (what the client expects from the server next),
// ack = the segment's seq + its payload (and one for a SYN or FIN), flags ACK|PSH|FIN, the
// payload in one segment. It is framed as write_tcp_reset() frames its RSTs (VLAN tags and
// wrappers kept, a plain inner IP header, correct checksums); the caller sends the RST onwards
// to the server itself. Used for a DNS answer over TCP (filters/respond/dns_answer.hpp) and the
// HTTP block page.
//
// A segment without ACK (data on a SYN: TCP Fast Open) has no sequence number of the server's to
// answer with: no stream reply can be built, and the caller resets instead.
//
// Hot path: no allocation; `out` must not overlap `frame`. Safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "filters/packet/packet_decoder.hpp"
#include "filters/respond/reply_headers.hpp"

namespace takedown::filters {

// The most payload a stream reply carries: it fits one segment of a 1280-byte IPv6 path with
// every wrapper.
inline constexpr std::size_t kMaxStreamReplyPayload = 1234;
inline constexpr std::size_t kMaxStreamReplyFrame = kMaxReplyHeaders + 20 + kMaxStreamReplyPayload;

// Whether a stream reply can answer `packet`: TCP, with ACK, and a way back (can_reply()).
bool can_stream_reply(const DecodedPacket& packet);

// Where the reply's payload starts in `out`: callers may write it there first, then call
// finish_tcp_stream_reply().
std::size_t stream_reply_payload_offset(const DecodedPacket& packet);

// Writes the headers around `payload_length` bytes already at stream_reply_payload_offset() of
// `out`. Returns the frame's length, or 0 when !can_stream_reply(packet) or the payload is
// longer than kMaxStreamReplyPayload. `out` needs kMaxStreamReplyFrame bytes.
std::size_t finish_tcp_stream_reply(std::span<const std::uint8_t> frame,
                                    const DecodedPacket& packet, std::size_t payload_length,
                                    std::uint8_t* out);

// Copies `payload` into place and finishes the reply.
std::size_t write_tcp_stream_reply(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                                   std::span<const std::uint8_t> payload, std::uint8_t* out);

}  // namespace takedown::filters
