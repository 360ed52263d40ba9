// Protected QUIC client Initials built byte by byte, for the QUIC and flow tests: the sealing side
// of RFC 9001 section 5 with libcrypto (AES-128-GCM, then header protection with AES-128-ECB),
// keys from QuicCrypto::derive(). quic_initial_test proves it reproduces the RFC's own packet.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "filters/quic/quic_crypto.hpp"
#include "tests/support/frames.hpp"

namespace takedown::testing::quic {

using frames::Bytes;

inline void put_varint(Bytes& b, std::uint64_t v) {
  if (v < 64) {
    b.push_back(static_cast<std::uint8_t>(v));
  } else if (v < 16384) {
    b.push_back(static_cast<std::uint8_t>(0x40 | v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  } else {
    frames::put32(b, static_cast<std::uint32_t>(0x80000000u | v));
  }
}

inline Bytes crypto_frame(std::uint64_t offset, const Bytes& data) {
  Bytes b = {0x06};
  put_varint(b, offset);
  put_varint(b, data.size());
  frames::append(b, data);
  return b;
}

struct Initial {
  std::uint32_t version = filters::QuicCrypto::kVersion1;
  Bytes dcid = frames::from_hex("8394c8f03e515708");
  Bytes scid;
  Bytes token;
  std::uint32_t packet_number = 2;
  Bytes frames;              // plaintext frames
  std::size_t pad_to = 1162; // frames padded with PADDING to this many bytes (0: none)
  Bytes key_dcid;            // derive keys from this DCID instead (empty: from `dcid`)
};

// The header as sent before protection, with a 4-byte packet number.
inline Bytes plain_header(const Initial& in, std::size_t payload_size) {
  const bool v2 = in.version == filters::QuicCrypto::kVersion2;
  Bytes h = {static_cast<std::uint8_t>(v2 ? 0xd3 : 0xc3)};
  frames::put32(h, in.version);
  h.push_back(static_cast<std::uint8_t>(in.dcid.size()));
  frames::append(h, in.dcid);
  h.push_back(static_cast<std::uint8_t>(in.scid.size()));
  frames::append(h, in.scid);
  put_varint(h, in.token.size());
  frames::append(h, in.token);
  const std::size_t length = 4 + payload_size + 16;
  h.push_back(static_cast<std::uint8_t>(0x40 | length >> 8));  // always a 2-byte length
  h.push_back(static_cast<std::uint8_t>(length));
  frames::put32(h, in.packet_number);
  return h;
}

inline Bytes seal(const Initial& in) {
  filters::QuicKeys keys;
  auto crypto = filters::QuicCrypto::create();
  if (!crypto || !crypto.value()->derive(in.version, in.key_dcid.empty() ? in.dcid : in.key_dcid,
                                         keys)) {
    throw std::runtime_error("quic_builder: no keys");
  }
  Bytes payload = in.frames;
  if (payload.size() < in.pad_to) payload.resize(in.pad_to, 0x00);
  Bytes packet = plain_header(in, payload.size());
  const std::size_t pn_offset = packet.size() - 4;
  std::uint8_t nonce[12];
  for (int i = 0; i < 12; ++i) nonce[i] = keys.iv[i];
  for (int i = 0; i < 4; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(in.packet_number >> (8 * i));
  Bytes sealed(payload.size() + 16);
  EVP_CIPHER_CTX* gcm = EVP_CIPHER_CTX_new();
  int n = 0;
  EVP_EncryptInit_ex(gcm, EVP_aes_128_gcm(), nullptr, keys.key, nonce);
  EVP_EncryptUpdate(gcm, nullptr, &n, packet.data(), static_cast<int>(packet.size()));
  EVP_EncryptUpdate(gcm, sealed.data(), &n, payload.data(), static_cast<int>(payload.size()));
  EVP_EncryptFinal_ex(gcm, sealed.data() + n, &n);
  EVP_CIPHER_CTX_ctrl(gcm, EVP_CTRL_GCM_GET_TAG, 16, sealed.data() + payload.size());
  EVP_CIPHER_CTX_free(gcm);
  frames::append(packet, sealed);
  std::uint8_t mask[16];
  EVP_CIPHER_CTX* ecb = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ecb, EVP_aes_128_ecb(), nullptr, keys.hp, nullptr);
  EVP_CIPHER_CTX_set_padding(ecb, 0);
  EVP_EncryptUpdate(ecb, mask, &n, packet.data() + pn_offset + 4, 16);
  EVP_CIPHER_CTX_free(ecb);
  packet[0] ^= mask[0] & 0x0f;
  for (int i = 0; i < 4; ++i) packet[pn_offset + i] ^= mask[1 + i];
  return packet;
}

}  // namespace takedown::testing::quic
