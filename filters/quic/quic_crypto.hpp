// QuicCrypto: the Initial packet protection of QUIC v1 (RFC 9001 section 5) and v2 (RFC 9369),
// with OpenSSL's libcrypto. One per worker, made at start-up: its AES contexts are created once,
// HMAC-SHA256 runs on plain SHA256_CTX states, and the HKDF-Extract states are keyed once with
// each version's salt, so a packet costs key setup and two AES passes, never an allocation.
//
//   derive():  HKDF-Extract(salt, DCID), then HKDF-Expand-Label "client in", "quic key"/"iv"/"hp"
//              ("quicv2 ..." for v2): the client's Initial key, IV and header-protection key.
//   open():    removes header protection (AES-128-ECB over the sample), then AES-128-GCM with
//              the header as associated data, in place; false when the tag does not verify.
//
// Not thread-safe: one per worker. Cold: create(). Hot: derive(), open().
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "filters/common/result.hpp"

namespace takedown::filters {

struct QuicKeys {
  std::uint8_t key[16];
  std::uint8_t iv[12];
  std::uint8_t hp[16];
};

// What open() recovered: the packet number and where the plaintext frames are in the packet.
struct QuicOpened {
  std::uint64_t packet_number = 0;
  std::size_t payload_offset = 0;
  std::size_t payload_length = 0;
};

class QuicCrypto {
 public:
  static constexpr std::uint32_t kVersion1 = 0x00000001;
  static constexpr std::uint32_t kVersion2 = 0x6b3343cf;

  static Result<std::unique_ptr<QuicCrypto>> create();
  ~QuicCrypto();
  QuicCrypto(const QuicCrypto&) = delete;
  QuicCrypto& operator=(const QuicCrypto&) = delete;

  // The client Initial keys for `dcid` under `version` (kVersion1 or kVersion2).
  bool derive(std::uint32_t version, std::span<const std::uint8_t> dcid, QuicKeys& out);

  // `packet` is one long-header packet, [0, size): its packet number starts at `pn_offset`.
  // On success the header is unprotected and the payload decrypted in place.
  bool open(const QuicKeys& keys, std::uint8_t* packet, std::size_t size, std::size_t pn_offset,
            QuicOpened& out);

 private:
  struct Contexts;
  explicit QuicCrypto(std::unique_ptr<Contexts> contexts);
  bool expand_label(const char* label, std::uint8_t* out, std::size_t length);
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace takedown::filters
