// parse_client_hello(): the server_name (SNI, host_name type) of a TLS ClientHello in one segment;
// parse_client_hello_records() over a reassembled stream, parse_client_hello_message() over QUIC's.
//
// The segment must start a handshake record holding a ClientHello; anything else is
// NotApplicable. Every extension is walked by its length, so GREASE values and unknown
// extensions are skipped, and with Encrypted Client Hello the outer server_name, the one on the
// wire, is the one returned. A ClientHello cut off by the end of the segment (or of its record)
// reports Truncated; if the server_name was already inside, has_name is true and it is returned.
//
// Hot path: no allocation, no exception, every read bounds-checked; safe on any thread.
#pragma once

#include <cstdint>
#include <span>

#include "filters/common/enum_text.hpp"
#include "filters/match/domain_name.hpp"
#include "filters/packet/packet_decoder.hpp"

namespace takedown::filters {

#define TAKEDOWN_TLS_REASONS(X)                 \
  X(None, "none")                               \
  X(NotHandshake, "tls_not_handshake")          \
  X(NotClientHello, "tls_not_client_hello")     \
  X(ClientHelloShort, "tls_client_hello_short") \
  X(BadLength, "tls_bad_length")                \
  X(NoServerName, "tls_no_server_name")         \
  X(BadServerName, "tls_bad_server_name")

TAKEDOWN_ENUM(TlsReason, TAKEDOWN_TLS_REASONS)

struct ClientHello {
  DomainName server_name;
  bool has_name = false;
  std::uint16_t record_version = 0;
  std::uint16_t client_version = 0;
};

using TlsResult = ParseResult<TlsReason>;

TlsResult parse_client_hello(std::span<const std::uint8_t> payload, ClientHello& out);

// The same over a reassembled TCP stream whose ClientHello may be spread over several handshake
// records: their fragments are joined into `scratch` (the stream's size is enough) and the message
// read from there. Records after the ClientHello's end are not read. No allocation.
TlsResult parse_client_hello_records(std::span<const std::uint8_t> stream,
                                     std::span<std::uint8_t> scratch, ClientHello& out);

// A bare handshake message (type, 3-byte length, body), as QUIC's CRYPTO stream carries it.
TlsResult parse_client_hello_message(std::span<const std::uint8_t> message, ClientHello& out);

}  // namespace takedown::filters
