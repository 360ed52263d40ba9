#include "filters/quic/quic_crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>

namespace takedown::filters {

namespace {

constexpr std::uint8_t kSaltV1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                      0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr std::uint8_t kSaltV2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                      0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
constexpr std::size_t kSecret = 32;
constexpr std::size_t kTag = 16;
constexpr std::size_t kSample = 16;

}  // namespace

struct QuicCrypto::Contexts {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* extract_v1 = nullptr;  // keyed with the v1 salt
  EVP_MAC_CTX* extract_v2 = nullptr;  // keyed with the v2 salt
  EVP_MAC_CTX* expand = nullptr;      // keyed per secret
  EVP_CIPHER_CTX* ecb = nullptr;
  EVP_CIPHER_CTX* gcm = nullptr;
  OSSL_PARAM sha256[2];

  ~Contexts() {
    EVP_MAC_CTX_free(extract_v1);
    EVP_MAC_CTX_free(extract_v2);
    EVP_MAC_CTX_free(expand);
    EVP_MAC_free(mac);
    EVP_CIPHER_CTX_free(ecb);
    EVP_CIPHER_CTX_free(gcm);
  }
};

QuicCrypto::QuicCrypto(std::unique_ptr<Contexts> contexts) : contexts_(std::move(contexts)) {}
QuicCrypto::~QuicCrypto() = default;

Result<std::unique_ptr<QuicCrypto>> QuicCrypto::create() {
  auto c = std::make_unique<Contexts>();
  static char digest[] = "SHA256";
  c->sha256[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
  c->sha256[1] = OSSL_PARAM_construct_end();
  c->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (c->mac == nullptr) return Error{"libcrypto has no HMAC"};
  c->extract_v1 = EVP_MAC_CTX_new(c->mac);
  c->extract_v2 = EVP_MAC_CTX_new(c->mac);
  c->expand = EVP_MAC_CTX_new(c->mac);
  c->ecb = EVP_CIPHER_CTX_new();
  c->gcm = EVP_CIPHER_CTX_new();
  if (c->extract_v1 == nullptr || c->extract_v2 == nullptr || c->expand == nullptr ||
      c->ecb == nullptr || c->gcm == nullptr) {
    return Error{"libcrypto: out of memory for the QUIC contexts"};
  }
  if (EVP_MAC_init(c->extract_v1, kSaltV1, sizeof kSaltV1, c->sha256) != 1 ||
      EVP_MAC_init(c->extract_v2, kSaltV2, sizeof kSaltV2, c->sha256) != 1 ||
      EVP_MAC_CTX_set_params(c->expand, c->sha256) != 1) {
    return Error{"libcrypto: HMAC-SHA256 is not available"};
  }
  const std::uint8_t zero_key[16] = {};
  if (EVP_EncryptInit_ex(c->ecb, EVP_aes_128_ecb(), nullptr, zero_key, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(c->ecb, 0) != 1 ||
      EVP_DecryptInit_ex(c->gcm, EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1) {
    return Error{"libcrypto: AES-128-ECB or AES-128-GCM is not available"};
  }
  return std::unique_ptr<QuicCrypto>(new QuicCrypto(std::move(c)));
}

// HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context, for lengths up to 32: one
// HMAC block, T(1) = HMAC(secret, HkdfLabel || 0x01).
bool QuicCrypto::expand_label(const std::uint8_t* secret, const char* label, std::uint8_t* out,
                              std::size_t length) {
  std::uint8_t info[2 + 1 + 6 + 32 + 1 + 1];
  const std::size_t label_length = std::strlen(label);
  if (label_length > 32) return false;
  std::size_t n = 0;
  info[n++] = 0;
  info[n++] = static_cast<std::uint8_t>(length);
  info[n++] = static_cast<std::uint8_t>(6 + label_length);
  std::memcpy(info + n, "tls13 ", 6);
  n += 6;
  std::memcpy(info + n, label, label_length);
  n += label_length;
  info[n++] = 0;  // empty context
  info[n++] = 1;  // block counter
  std::uint8_t block[kSecret];
  std::size_t written = 0;
  if (EVP_MAC_init(contexts_->expand, secret, kSecret, nullptr) != 1 ||
      EVP_MAC_update(contexts_->expand, info, n) != 1 ||
      EVP_MAC_final(contexts_->expand, block, &written, sizeof block) != 1 || written != kSecret) {
    return false;
  }
  std::memcpy(out, block, length);
  return true;
}

bool QuicCrypto::derive(std::uint32_t version, std::span<const std::uint8_t> dcid, QuicKeys& out) {
  EVP_MAC_CTX* salted = nullptr;
  const bool v2 = version == kVersion2;
  if (version == kVersion1) {
    salted = contexts_->extract_v1;
  } else if (v2) {
    salted = contexts_->extract_v2;
  } else {
    return false;
  }
  // HKDF-Extract: HMAC(salt, DCID). A null key re-keys the context with the salt it holds.
  std::uint8_t initial[kSecret];
  std::size_t written = 0;
  const bool extracted = EVP_MAC_init(salted, nullptr, 0, nullptr) == 1 &&
                         EVP_MAC_update(salted, dcid.data(), dcid.size()) == 1 &&
                         EVP_MAC_final(salted, initial, &written, sizeof initial) == 1 &&
                         written == kSecret;
  if (!extracted) return false;
  std::uint8_t client[kSecret];
  return expand_label(initial, "client in", client, kSecret) &&
         expand_label(client, v2 ? "quicv2 key" : "quic key", out.key, sizeof out.key) &&
         expand_label(client, v2 ? "quicv2 iv" : "quic iv", out.iv, sizeof out.iv) &&
         expand_label(client, v2 ? "quicv2 hp" : "quic hp", out.hp, sizeof out.hp);
}

bool QuicCrypto::open(const QuicKeys& keys, std::uint8_t* packet, std::size_t size,
                      std::size_t pn_offset, QuicOpened& out) {
  // The sample starts 4 bytes past the packet number's start, whatever its length.
  if (size < pn_offset + 4 + kSample || size < pn_offset + 4 + kTag) return false;
  std::uint8_t mask[kSample];
  int produced = 0;
  if (EVP_EncryptInit_ex(contexts_->ecb, nullptr, nullptr, keys.hp, nullptr) != 1 ||
      EVP_EncryptUpdate(contexts_->ecb, mask, &produced, packet + pn_offset + 4, kSample) != 1 ||
      produced != static_cast<int>(kSample)) {
    return false;
  }
  packet[0] ^= mask[0] & 0x0f;  // long header: the low 4 bits
  const std::size_t pn_length = (packet[0] & 0x03) + 1u;
  std::uint64_t pn = 0;
  for (std::size_t i = 0; i < pn_length; ++i) {
    packet[pn_offset + i] ^= mask[1 + i];
    pn = (pn << 8) | packet[pn_offset + i];
  }
  std::uint8_t nonce[12];
  std::memcpy(nonce, keys.iv, sizeof nonce);
  for (std::size_t i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(pn >> (8 * i));
  const std::size_t header = pn_offset + pn_length;
  if (size < header + kTag) return false;
  const std::size_t cipher_length = size - header - kTag;
  EVP_CIPHER_CTX* gcm = contexts_->gcm;
  int n = 0;
  if (EVP_DecryptInit_ex(gcm, nullptr, nullptr, keys.key, nonce) != 1 ||
      EVP_DecryptUpdate(gcm, nullptr, &n, packet, static_cast<int>(header)) != 1 ||
      EVP_DecryptUpdate(gcm, packet + header, &n, packet + header,
                        static_cast<int>(cipher_length)) != 1 ||
      EVP_CIPHER_CTX_ctrl(gcm, EVP_CTRL_GCM_SET_TAG, kTag, packet + header + cipher_length) != 1) {
    return false;
  }
  int final_length = 0;
  if (EVP_DecryptFinal_ex(gcm, packet + header + n, &final_length) != 1) return false;
  out.packet_number = pn;
  out.payload_offset = header;
  out.payload_length = cipher_length;
  return true;
}

}  // namespace takedown::filters
