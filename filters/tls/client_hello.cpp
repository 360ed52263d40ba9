#include "filters/tls/client_hello.hpp"

#include "filters/common/byte_order.hpp"
#include "filters/common/enum_text.hpp"

#include <algorithm>

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(TlsReason, TAKEDOWN_TLS_REASONS)

namespace {

constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint16_t kServerName = 0;
constexpr std::uint8_t kHostName = 0;

constexpr auto fail = TlsResult::fail;

// A bounds-checked reader over [at, end). Every read reports whether the bytes were there.
struct Cursor {
  const std::uint8_t* data;
  std::size_t at;
  std::size_t end;

  std::size_t left() const { return end - at; }
  bool skip(std::size_t n) {
    if (n > left()) return false;
    at += n;
    return true;
  }
  bool u8(std::uint8_t& v) {
    if (left() < 1) return false;
    v = data[at++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (left() < 2) return false;
    v = load_be16(data + at);
    at += 2;
    return true;
  }
  bool u24(std::uint32_t& v) {
    if (left() < 3) return false;
    v = load_be24(data + at);
    at += 3;
    return true;
  }
};

// Reads the server_name extension body: a list of (type, length, name); takes the host_name.
TlsResult read_server_name(Cursor c, ClientHello& out) {
  std::uint16_t list_length = 0;
  if (!c.u16(list_length) || list_length > c.left())
    return fail(DecodeStatus::Malformed, TlsReason::BadLength);
  c.end = c.at + list_length;
  while (c.left() > 0) {
    std::uint8_t type = 0;
    std::uint16_t length = 0;
    if (!c.u8(type) || !c.u16(length) || length > c.left()) {
      return fail(DecodeStatus::Malformed, TlsReason::BadLength);
    }
    if (type == kHostName) {
      const std::string_view name(reinterpret_cast<const char*>(c.data + c.at), length);
      if (out.server_name.assign(name) != NameStatus::Ok) {
        return fail(DecodeStatus::Malformed, TlsReason::BadServerName);
      }
      out.has_name = true;
      return {};
    }
    c.skip(length);
  }
  return fail(DecodeStatus::NotApplicable, TlsReason::NoServerName);
}

}  // namespace

namespace {

// The ClientHello handshake message from its type byte, over [c.at, c.end). `record_cut`: the
// bytes stop where the record did not (the message may go on past c.end).
TlsResult parse_message(Cursor c, bool record_cut, ClientHello& out) {
  std::uint8_t handshake_type = 0;
  std::uint32_t hello_length = 0;
  if (!c.u8(handshake_type)) return fail(DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  if (handshake_type != kClientHello)
    return fail(DecodeStatus::NotApplicable, TlsReason::NotClientHello);
  if (!c.u24(hello_length)) return fail(DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  const bool hello_cut = hello_length > c.left();
  if (!hello_cut) c.end = c.at + hello_length;
  const TlsResult short_result = fail(DecodeStatus::Truncated, TlsReason::ClientHelloShort);

  std::uint8_t session_id = 0;
  std::uint16_t ciphers = 0;
  std::uint8_t compressions = 0;
  std::uint16_t extensions = 0;
  if (!c.u16(out.client_version) || !c.skip(32) || !c.u8(session_id)) return short_result;
  if (session_id > 32) return fail(DecodeStatus::Malformed, TlsReason::BadLength);
  if (!c.skip(session_id) || !c.u16(ciphers) || !c.skip(ciphers) || !c.u8(compressions) ||
      !c.skip(compressions)) {
    return short_result;
  }
  if (c.left() == 0 && !hello_cut)
    return fail(DecodeStatus::NotApplicable, TlsReason::NoServerName);
  if (!c.u16(extensions)) return short_result;
  const bool extensions_cut = extensions > c.left();
  if (!extensions_cut) c.end = c.at + extensions;
  while (c.left() > 0) {
    std::uint16_t type = 0;
    std::uint16_t length = 0;
    if (!c.u16(type) || !c.u16(length)) return short_result;
    if (length > c.left()) {
      // Cut inside this extension: the name is lost only if this is the server_name itself.
      return short_result;
    }
    if (type == kServerName) {
      const TlsResult sni = read_server_name(Cursor{c.data, c.at, c.at + length}, out);
      if (sni.status != DecodeStatus::Ok) return sni;
      // Found. The ClientHello may still be cut later on; say so, with the name.
      if (record_cut || hello_cut || extensions_cut) return short_result;
      return {};
    }
    c.skip(length);
  }
  if (record_cut || hello_cut || extensions_cut) return short_result;
  return fail(DecodeStatus::NotApplicable, TlsReason::NoServerName);
}

void reset(ClientHello& out) {
  out.has_name = false;
  out.record_version = 0;
  out.client_version = 0;
}

}  // namespace

TlsResult parse_client_hello(std::span<const std::uint8_t> payload, ClientHello& out) {
  reset(out);
  Cursor c{payload.data(), 0, payload.size()};
  std::uint8_t content_type = 0;
  std::uint16_t record_length = 0;
  if (!c.u8(content_type)) return fail(DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  if (content_type != kHandshake) return fail(DecodeStatus::NotApplicable, TlsReason::NotHandshake);
  if (!c.u16(out.record_version) || !c.u16(record_length)) {
    return fail(DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  }
  if ((out.record_version >> 8) != 3)
    return fail(DecodeStatus::NotApplicable, TlsReason::NotHandshake);
  // The rest of this record, as far as this segment holds it.
  const bool record_cut = record_length > c.left();
  if (!record_cut) c.end = c.at + record_length;
  return parse_message(c, record_cut, out);
}

TlsResult parse_client_hello_message(std::span<const std::uint8_t> message, ClientHello& out) {
  reset(out);
  return parse_message(Cursor{message.data(), 0, message.size()}, false, out);
}

TlsResult parse_client_hello_records(std::span<const std::uint8_t> stream,
                                     std::span<std::uint8_t> scratch, ClientHello& out) {
  reset(out);
  // Fast path: the first record holds all of the stream that is there (one record, as most
  // clients send), so there is nothing to join.
  Cursor c{stream.data(), 0, stream.size()};
  std::uint8_t content_type = 0;
  std::uint16_t record_length = 0;
  if (!c.u8(content_type)) return fail(DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  if (content_type != kHandshake) return fail(DecodeStatus::NotApplicable, TlsReason::NotHandshake);
  if (!c.u16(out.record_version) || !c.u16(record_length))
    return fail(DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  if ((out.record_version >> 8) != 3)
    return fail(DecodeStatus::NotApplicable, TlsReason::NotHandshake);
  if (record_length >= c.left()) {
    const std::uint16_t version = out.record_version;
    const TlsResult r = parse_client_hello(stream, out);
    out.record_version = version;
    return r;
  }
  // Several records: join their fragments into `scratch`, as far as they are handshake records
  // and the stream holds them, then read the message from there.
  std::size_t joined = 0;
  std::size_t at = 0;
  bool cut = false;
  while (at < stream.size()) {
    if (stream.size() - at < 5) {
      cut = true;
      break;
    }
    const std::uint8_t type = stream[at];
    const std::uint16_t length = load_be16(stream.data() + at + 3);
    if (type != kHandshake || (stream[at + 1] != 3)) break;  // the handshake ended before
    if (length == 0) return fail(DecodeStatus::Malformed, TlsReason::BadLength);
    at += 5;
    const std::size_t take = std::min<std::size_t>(length, stream.size() - at);
    if (take > scratch.size() - joined) {
      cut = true;  // more than the scratch holds: read what fits
      std::copy_n(stream.data() + at, scratch.size() - joined, scratch.data() + joined);
      joined = scratch.size();
      break;
    }
    std::copy_n(stream.data() + at, take, scratch.data() + joined);
    joined += take;
    at += take;
    if (take < length) {
      cut = true;
      break;
    }
  }
  const std::uint16_t version = out.record_version;
  const TlsResult r = parse_message(Cursor{scratch.data(), 0, joined}, cut, out);
  out.record_version = version;
  return r;
}

}  // namespace takedown::filters
