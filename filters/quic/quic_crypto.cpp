#include "filters/quic/quic_crypto.hpp"

// HMAC-SHA256 over OpenSSL's SHA256_CTX: deprecated for applications since 3.0, but the one
// libcrypto interface whose state is a plain struct, so a keyed HMAC is two copies and no
// allocation. EVP_MAC_init re-keying cost 3 us of the 4.2 us an Initial took (flow_bench).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

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

// HMAC-SHA256 (RFC 2104) with the key's inner and outer states computed once per key.
class HmacSha256 {
 public:
  void key(const std::uint8_t* key, std::size_t length) {
    std::uint8_t pad[SHA256_CBLOCK] = {};
    std::memcpy(pad, key, length);  // keys here are at most 32 bytes, shorter than a block
    for (auto& b : pad) b ^= 0x36;
    SHA256_Init(&inner_);
    SHA256_Update(&inner_, pad, sizeof pad);
    for (auto& b : pad) b ^= 0x36 ^ 0x5c;
    SHA256_Init(&outer_);
    SHA256_Update(&outer_, pad, sizeof pad);
  }
  void mac(const std::uint8_t* data, std::size_t length, std::uint8_t out[32]) const {
    SHA256_CTX c = inner_;
    SHA256_Update(&c, data, length);
    SHA256_Final(out, &c);
    c = outer_;
    SHA256_Update(&c, out, 32);
    SHA256_Final(out, &c);
  }

 private:
  SHA256_CTX inner_;
  SHA256_CTX outer_;
};

}  // namespace

struct QuicCrypto::Contexts {
  HmacSha256 extract_v1;  // keyed with the v1 salt
  HmacSha256 extract_v2;  // keyed with the v2 salt
  HmacSha256 expand;      // keyed per secret
  EVP_CIPHER_CTX* ecb = nullptr;
  EVP_CIPHER_CTX* gcm = nullptr;

  ~Contexts() {
    EVP_CIPHER_CTX_free(ecb);
    EVP_CIPHER_CTX_free(gcm);
  }
};

QuicCrypto::QuicCrypto(std::unique_ptr<Contexts> contexts) : contexts_(std::move(contexts)) {}
QuicCrypto::~QuicCrypto() = default;

Result<std::unique_ptr<QuicCrypto>> QuicCrypto::create() {
  auto c = std::make_unique<Contexts>();
  c->extract_v1.key(kSaltV1, sizeof kSaltV1);
  c->extract_v2.key(kSaltV2, sizeof kSaltV2);
  c->ecb = EVP_CIPHER_CTX_new();
  c->gcm = EVP_CIPHER_CTX_new();
  if (c->ecb == nullptr || c->gcm == nullptr) {
    return Error{"libcrypto: out of memory for the QUIC contexts"};
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
// HMAC block, T(1) = HMAC(secret, HkdfLabel || 0x01), with `expand` keyed with the secret.
bool QuicCrypto::expand_label(const char* label, std::uint8_t* out, std::size_t length) {
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
  contexts_->expand.mac(info, n, block);
  std::memcpy(out, block, length);
  return true;
}

bool QuicCrypto::derive(std::uint32_t version, std::span<const std::uint8_t> dcid, QuicKeys& out) {
  const bool v2 = version == kVersion2;
  if (version != kVersion1 && !v2) return false;
  // HKDF-Extract: HMAC(salt, DCID), from the state keyed with the version's salt at start-up.
  std::uint8_t initial[kSecret];
  (v2 ? contexts_->extract_v2 : contexts_->extract_v1).mac(dcid.data(), dcid.size(), initial);
  std::uint8_t client[kSecret];
  contexts_->expand.key(initial, kSecret);
  if (!expand_label("client in", client, kSecret)) return false;
  contexts_->expand.key(client, kSecret);
  return expand_label(v2 ? "quicv2 key" : "quic key", out.key, sizeof out.key) &&
         expand_label(v2 ? "quicv2 iv" : "quic iv", out.iv, sizeof out.iv) &&
         expand_label(v2 ? "quicv2 hp" : "quic hp", out.hp, sizeof out.hp);
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
