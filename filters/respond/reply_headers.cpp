#include "filters/respond/reply_headers.hpp"

#include <immintrin.h>

#include <bit>
#include <cstring>

#include "filters/common/byte_order.hpp"

namespace takedown::filters {

namespace {

constexpr std::size_t kIpv4Header = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr std::uint8_t kUdp = DecodedPacket::kUdp;
constexpr std::uint16_t kGreChecksumPresent = 0x8000;

// A sum folded to 16 bits with end-around carry, in four steps and no branch: a loop until no
// carry is left mispredicts on every answer (perf: a fifth of sum_words' samples).
std::uint64_t fold(std::uint64_t wide) {
  wide = (wide & 0xFFFFFFFFu) + (wide >> 32);  // < 2^33
  wide = (wide & 0xFFFF) + (wide >> 16);       // < 0x30000
  wide = (wide & 0xFFFF) + (wide >> 16);       // <= 0x10001
  return (wide & 0xFFFF) + (wide >> 16);       // <= 0xFFFF
}

// sum_words() for the 8 bytes of two IPv4 addresses: two 32-bit words, no vector to set up and
// reduce.
std::uint32_t sum_ipv4_addresses(const std::uint8_t* bytes, std::uint32_t sum) {
  std::uint32_t a;
  std::uint32_t b;
  std::memcpy(&a, bytes, 4);
  std::memcpy(&b, bytes + 4, 4);
  auto folded = static_cast<std::uint16_t>(fold(std::uint64_t{a} + b));
  if constexpr (std::endian::native == std::endian::little) folded = __builtin_bswap16(folded);
  return static_cast<std::uint32_t>(fold(std::uint64_t{folded} + sum));
}

// The ones' complement sum of `bytes` as big-endian 16-bit words, plus `sum`, folded to 16 bits.
// The sum does not depend on byte order (RFC 1071, 2.(B)), so the bytes are added as they lie in
// memory, 8 at a time into two 32-bit halves, and the folded sum is put in network order once.
std::uint32_t sum_words(const std::uint8_t* bytes, std::size_t length, std::uint32_t sum) {
  std::uint64_t wide = 0;
#ifdef __AVX512BW__
  // 64 bytes at a time: each 32-bit lane adds its two 16-bit words. The last vector is a masked
  // load, whose lanes past the end read as zero: an odd last byte is then the low byte of a word,
  // as below. Lanes cannot overflow: 2 * 0xFFFF a vector, at most 1,024 vectors.
  const __m512i low_words = _mm512_set1_epi32(0xFFFF);
  __m512i lanes = _mm512_setzero_si512();
  for (std::size_t i = 0; i < length; i += 64) {
    const std::size_t left = length - i;
    const __mmask64 in = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
    const __m512i v = _mm512_maskz_loadu_epi8(in, bytes + i);
    lanes = _mm512_add_epi32(lanes, _mm512_and_si512(v, low_words));
    lanes = _mm512_add_epi32(lanes, _mm512_maskz_srli_epi32(0xFFFF, v, 16));
  }
  // (The zero-masked forms: GCC 12 warns of the unmasked ones' undefined fill.)
  const __m256i half = _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xFF, lanes, 0),
                                        _mm512_maskz_extracti64x4_epi64(0xFF, lanes, 1));
  __m128i quarter = _mm_add_epi32(_mm256_castsi256_si128(half), _mm256_extracti128_si256(half, 1));
  quarter = _mm_add_epi32(quarter, _mm_unpackhi_epi64(quarter, quarter));
  quarter = _mm_add_epi32(quarter, _mm_shuffle_epi32(quarter, 1));
  wide = static_cast<std::uint32_t>(_mm_cvtsi128_si32(quarter));
#else
  std::size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes + i, 8);
    wide += (w & 0xFFFFFFFFu) + (w >> 32);
  }
  if (i + 4 <= length) {
    std::uint32_t w;
    std::memcpy(&w, bytes + i, 4);
    wide += w;
    i += 4;
  }
  if (i + 2 <= length) {
    std::uint16_t w;
    std::memcpy(&w, bytes + i, 2);
    wide += w;
    i += 2;
  }
  // A last odd byte is the high byte of a zero-padded big-endian word: the low byte in memory.
  if (i < length) wide += bytes[i];
#endif
  auto folded = static_cast<std::uint16_t>(fold(wide));
  if constexpr (std::endian::native == std::endian::little) folded = __builtin_bswap16(folded);
  return static_cast<std::uint32_t>(fold(std::uint64_t{folded} + sum));
}

void swap_bytes(std::uint8_t* a, std::uint8_t* b, std::size_t length) {
  std::uint8_t tmp[16];
  std::memcpy(tmp, a, length);
  std::memcpy(a, b, length);
  std::memcpy(b, tmp, length);
}

void set_udp_checksum(std::uint8_t* ip, std::uint8_t* udp, std::size_t length) {
  store_be16(udp + 6, 0);
  std::uint16_t checksum = internet_checksum(udp, length, pseudo_header_sum(ip, kUdp, length));
  // UDP sends a computed zero as all ones (RFC 768); zero would mean "no checksum".
  if (checksum == 0) checksum = 0xFFFF;
  store_be16(udp + 6, checksum);
}

// Mends the outer header `i` of a reply that ends at `end`.
void mend(std::uint8_t* out, const DecodedPacket& packet, std::size_t i, std::size_t end) {
  const std::size_t at = packet.outer[i].offset;
  std::uint8_t* h = out + at;
  switch (packet.outer[i].kind) {
    case HeaderKind::Ipv4: {
      const std::size_t header = static_cast<std::size_t>(h[0] & 0x0F) * 4;
      store_be16(h + 2, static_cast<std::uint16_t>(end - at));
      store_be16(h + 6, load_be16(h + 6) & 0x4000);  // keep DF; not a fragment
      h[8] = 64;
      store_be16(h + 10, 0);
      store_be16(h + 10, internet_checksum(h, header));
      break;
    }
    case HeaderKind::Ipv6:
      store_be16(h + 4, static_cast<std::uint16_t>(end - at - kIpv6Header));
      h[7] = 64;
      break;
    case HeaderKind::Udp: {
      store_be16(h + 4, static_cast<std::uint16_t>(end - at));
      std::uint8_t* ip = out + packet.outer[i - 1].offset;  // a tunnel's UDP follows its IP header
      // Over IPv4 a zero checksum means none (VXLAN senders usually send none): keep it so.
      if ((ip[0] >> 4) == 4 && load_be16(h + 6) == 0) break;
      set_udp_checksum(ip, h, end - at);
      break;
    }
    case HeaderKind::Gre:
      if ((load_be16(h) & kGreChecksumPresent) != 0) {
        store_be16(h + 4, 0);
        store_be16(h + 4, internet_checksum(h, end - at));
      }
      break;
    case HeaderKind::GtpU:
      store_be16(h + 2, static_cast<std::uint16_t>(end - at - 8));
      break;
    case HeaderKind::Pppoe:
      store_be16(h + 4, static_cast<std::uint16_t>(end - at - 6));
      break;
    case HeaderKind::Link:
    case HeaderKind::Ethernet:
    case HeaderKind::Mpls:
    case HeaderKind::Vxlan:
      break;
  }
}

}  // namespace

std::uint32_t ones_complement_sum(const std::uint8_t* bytes, std::size_t length,
                                  std::uint32_t initial) {
  return sum_words(bytes, length, initial);
}

std::uint32_t pseudo_header_sum(const std::uint8_t* ip, std::uint8_t protocol, std::size_t length) {
  const std::uint32_t sum = protocol + static_cast<std::uint32_t>(length);
  return (ip[0] >> 4) == 4 ? sum_ipv4_addresses(ip + 12, sum) : sum_words(ip + 8, 32, sum);
}

std::uint16_t internet_checksum(const std::uint8_t* bytes, std::size_t length,
                                std::uint32_t initial) {
  return static_cast<std::uint16_t>(~sum_words(bytes, length, initial) & 0xFFFF);
}

std::size_t write_reply_headers(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                                ReplyDirection direction, std::size_t l4_length,
                                std::uint8_t* out) {
  const std::uint8_t* in = frame.data();
  const bool back = direction == ReplyDirection::Back;
  const std::size_t l3 = packet.l3_offset;
  if (out != in) std::memcpy(out, in, l3);
  if (back) {
    for (std::uint8_t i = 0; i < packet.outer_count; ++i) {
      std::uint8_t* h = out + packet.outer[i].offset;
      switch (packet.outer[i].kind) {
        case HeaderKind::Ethernet:
          swap_bytes(h, h + 6, 6);
          break;
        case HeaderKind::Ipv4:
          swap_bytes(h + 12, h + 16, 4);
          break;
        case HeaderKind::Ipv6:
          swap_bytes(h + 8, h + 24, 16);
          break;
        default:
          break;
      }
    }
  }

  // Everything the reply's IP header takes from the query's is read before the first store, so
  // that `out` may be the query itself.
  const std::uint8_t* ip = in + l3;
  std::uint8_t* reply = out + l3;
  if (packet.ip_version == 4) {
    std::uint8_t source[4], destination[4], identification[2];
    std::memcpy(source, ip + (back ? 16 : 12), 4);
    std::memcpy(destination, ip + (back ? 12 : 16), 4);
    std::memcpy(identification, ip + 4, 2);
    const std::uint8_t tos = ip[1];  // DSCP and ECN
    // The checksum from the values about to be stored and the query's addresses (their sum does
    // not depend on their order), not by reading the header back: a wide load over these byte
    // and word stores cannot be forwarded from them and waits for them to reach the cache.
    const std::uint32_t fields = (std::uint32_t{0x45} << 8 | tos) +
                                 static_cast<std::uint32_t>(kIpv4Header + l4_length) +
                                 load_be16(ip + 4) + (std::uint32_t{64} << 8 | packet.l4_protocol);
    const auto checksum =
        static_cast<std::uint16_t>(~sum_ipv4_addresses(ip + 12, fields) & 0xFFFF);
    reply[0] = 0x45;
    reply[1] = tos;
    store_be16(reply + 2, static_cast<std::uint16_t>(kIpv4Header + l4_length));
    std::memcpy(reply + 4, identification, 2);
    store_be16(reply + 6, 0);  // no fragmentation
    reply[8] = 64;
    reply[9] = packet.l4_protocol;
    store_be16(reply + 10, checksum);
    std::memcpy(reply + 12, source, 4);
    std::memcpy(reply + 16, destination, 4);
    return l3 + kIpv4Header;
  }
  std::uint8_t source[16], destination[16];
  std::memcpy(source, ip + (back ? 24 : 8), 16);
  std::memcpy(destination, ip + (back ? 8 : 24), 16);
  const std::uint32_t first = 0x60000000u | (load_be32(ip) & 0x0FF00000u);  // the traffic class
  store_be32(reply, first);
  store_be16(reply + 4, static_cast<std::uint16_t>(l4_length));
  reply[6] = packet.l4_protocol;
  reply[7] = 64;
  std::memcpy(reply + 8, source, 16);
  std::memcpy(reply + 24, destination, 16);
  return l3 + kIpv6Header;
}

void finish_reply(std::uint8_t* out, const DecodedPacket& packet, std::uint8_t* l4,
                  std::size_t l4_length) {
  const std::size_t field = packet.l4_protocol == kUdp ? 6 : 16;
  store_be16(l4 + field, 0);
  std::uint16_t checksum = internet_checksum(
      l4, l4_length, pseudo_header_sum(out + packet.l3_offset, packet.l4_protocol, l4_length));
  if (checksum == 0 && packet.l4_protocol == kUdp) checksum = 0xFFFF;
  store_be16(l4 + field, checksum);
  finish_wrappers(out, packet, static_cast<std::size_t>(l4 - out) + l4_length);
}

void finish_wrappers(std::uint8_t* out, const DecodedPacket& packet, std::size_t end) {
  for (std::size_t i = packet.outer_count; i-- > 0;) mend(out, packet, i, end);
}

}  // namespace takedown::filters
