#include "filters/tls/client_hello.hpp"

#include "filters/common/byte_order.hpp"
#include "filters/common/enum_text.hpp"

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

TlsResult parse_client_hello(std::span<const std::uint8_t> payload, ClientHello& out) {
  out.has_name = false;
  out.record_version = 0;
  out.client_version = 0;
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

}  // namespace takedown::filters
