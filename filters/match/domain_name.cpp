#include "filters/match/domain_name.hpp"

#include <immintrin.h>

#include <cstring>

#include "filters/common/enum_text.hpp"

namespace takedown::filters {
namespace {

// 0 = not allowed, otherwise the byte to store (lowercased). '.' is handled by the caller.
constexpr std::array<char, 256> make_name_bytes() {
  std::array<char, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<char>(c - 'A' + 'a');
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<char>(c);
  table['-'] = '-';
  table['_'] = '_';
  return table;
}
constexpr std::array<char, 256> kNameBytes = make_name_bytes();

// Lowercases 16 bytes and says which of them are name bytes (a-z, 0-9, '-', '_').
inline __m128i lower_and_check(__m128i c, unsigned& valid) {
  const auto in_range = [](__m128i v, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  c = _mm_or_si128(c, _mm_and_si128(in_range(c, 'A', 'Z'), _mm_set1_epi8(0x20)));
  const __m128i ok = _mm_or_si128(
      _mm_or_si128(in_range(c, 'a', 'z'), in_range(c, '0', '9')),
      _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('-')), _mm_cmpeq_epi8(c, _mm_set1_epi8('_'))));
  valid = static_cast<unsigned>(_mm_movemask_epi8(ok));
  return c;
}

// `c` with '.' in each byte whose bit is set in `dots` (16 bits).
inline __m128i with_dots(__m128i c, unsigned dots) {
#if defined(__AVX512BW__) && defined(__AVX512VL__)
  return _mm_mask_blend_epi8(static_cast<__mmask16>(dots), c, _mm_set1_epi8('.'));
#else
  // Byte j takes byte j / 8 of the mask, keeps its bit j % 8, and becomes all ones if it is set.
  constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
  const __m128i spread = _mm_set_epi64x(static_cast<long long>((dots >> 8 & 0xFF) * kEveryByte),
                                        static_cast<long long>((dots & 0xFF) * kEveryByte));
  const __m128i bit = _mm_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  const __m128i set = _mm_cmpeq_epi8(_mm_and_si128(spread, bit), bit);
  return _mm_or_si128(_mm_andnot_si128(set, c), _mm_and_si128(set, _mm_set1_epi8('.')));
#endif
}

// The 16 bits of `dots` from bit `pos` on.
inline unsigned dot_bits(const std::uint64_t* dots, std::size_t pos) {
  const std::size_t word = pos >> 6;
  const std::size_t shift = pos & 63;
  std::uint64_t bits = dots[word] >> shift;
  if (shift > 48) bits |= dots[word + 1] << (64 - shift);
  return static_cast<unsigned>(bits) & 0xFFFFu;
}

#if defined(__AVX512BW__) && defined(__AVX512VBMI__) && defined(__AVX512VBMI2__)
#define TAKEDOWN_WIRE_NAME_VECTOR 1
// kNameBytes for bytes 0..127, as the two halves vpermi2b takes.
alignas(64) constexpr std::array<char, 128> kNameBytesLow = [] {
  std::array<char, 128> low{};
  for (int c = 0; c < 128; ++c) low[c] = kNameBytes[c];
  return low;
}();

// A wire name whose text (the bytes after the first length byte, up to the zero byte) fits in
// one 64-byte vector, with no branch per label. The later length bytes are guessed as the bytes
// that are not name bytes, and the guess is checked all at once: compressed in order, each one's
// position plus its value plus one must be the next one's position, the first one's position must
// be the first length byte's value, and the last one is the zero byte. When the check holds the
// guessed bytes are exactly the ones the walk over the labels would visit (each maps to a later
// one, and no two to the same), so the result is that walk's. Anything else (a label of 45 or 48
// to 57 bytes, whose length byte is a name byte; a bad character; a pointer; a longer name) returns
// 0 for the general path to decide. Reads nothing outside [wire, wire + readable).
std::size_t assign_wire_vector(const std::uint8_t* wire, std::size_t readable, char* bytes,
                               std::size_t& length, std::size_t& labels) {
  const std::size_t first = wire[0];
  const std::size_t text_readable = readable - 1;
  const __mmask64 in = text_readable >= 64 ? ~__mmask64{0} : (__mmask64{1} << text_readable) - 1;
  const __m512i text = _mm512_maskz_loadu_epi8(in, wire + 1);
  const __mmask64 zero = _mm512_mask_cmpeq_epi8_mask(in, text, _mm512_setzero_si512());
  if (zero == 0 || first == 0) return 0;
  const unsigned end = static_cast<unsigned>(__builtin_ctzll(zero));
  // Lowercased name bytes, 0 for any other byte below 128; bytes from 128 up are never name bytes.
  const __m512i low = _mm512_loadu_si512(kNameBytesLow.data());
  const __m512i high = _mm512_loadu_si512(kNameBytesLow.data() + 64);
  const __m512i lowered = _mm512_permutex2var_epi8(low, text, high);
  const __mmask64 name_bytes = _mm512_test_epi8_mask(lowered, lowered) &
                               _mm512_cmplt_epu8_mask(text, _mm512_set1_epi8(-128));
  const __mmask64 stops = (~name_bytes & ((__mmask64{1} << end) - 1)) | (__mmask64{1} << end);
  if (static_cast<std::size_t>(__builtin_ctzll(stops)) != first) return 0;
  const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49,
                                       48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34,
                                       33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
                                       18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2,
                                       1, 0);
  const __m512i at = _mm512_maskz_compress_epi8(stops, iota);
  const __m512i value = _mm512_maskz_compress_epi8(stops, text);
  const __m512i next = _mm512_maskz_compress_epi8(stops & (stops - 1), iota);
  const unsigned count = static_cast<unsigned>(__builtin_popcountll(stops));
  const __mmask64 links = (__mmask64{1} << (count - 1)) - 1;  // every stop but the zero byte
  const __m512i reached = _mm512_add_epi8(_mm512_add_epi8(at, value), _mm512_set1_epi8(1));
  // With every link in place no label is over 63 bytes: the stops lie within 64 bytes.
  if (_mm512_mask_cmpneq_epi8_mask(links, reached, next) != 0) return 0;
  const __m512i named = _mm512_mask_blend_epi8(stops, lowered, _mm512_set1_epi8('.'));
  _mm512_storeu_si512(bytes, named);
  length = end;
  labels = count;
  return end + 2;
}
#endif

}  // namespace

TAKEDOWN_ENUM_DEFINE(NameStatus, TAKEDOWN_NAME_STATUSES)

NameStatus DomainName::assign(std::string_view text) {
  length_ = 0;
  label_count_ = 0;
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return NameStatus::Empty;
  if (text.size() > kMaxLength) return NameStatus::TooLong;

  std::size_t label_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '.') {
      if (i == label_start) return NameStatus::EmptyLabel;
      if (i - label_start > kMaxLabel) return NameStatus::LabelTooLong;
      ++label_count_;
      bytes_[i] = '.';
      label_start = i + 1;
      continue;
    }
    const char stored = kNameBytes[byte];
    if (stored == 0) return NameStatus::BadCharacter;
    bytes_[i] = stored;
  }
  if (text.size() == label_start) return NameStatus::EmptyLabel;
  if (text.size() - label_start > kMaxLabel) return NameStatus::LabelTooLong;
  ++label_count_;
  length_ = static_cast<std::uint8_t>(text.size());
  return NameStatus::Ok;
}

NameStatus DomainName::append_label(const std::uint8_t* label, std::size_t size,
                                    std::size_t readable) {
  if (size == 0) return NameStatus::EmptyLabel;
  if (size > kMaxLabel) return NameStatus::LabelTooLong;
  const std::size_t start = length_ == 0 ? 0 : std::size_t{length_} + 1;
  if (start + size > kMaxLength) return NameStatus::TooLong;
  if (length_ != 0) bytes_[length_] = '.';
  std::size_t i = 0;
  // 16 bytes at a time while 16 may be read and stored; what lies past the label is masked off
  // (and lands beyond the name's length, where nothing reads it).
  for (; i < size && i + 16 <= readable && start + i + 16 <= bytes_.size(); i += 16) {
    unsigned valid = 0;
    const __m128i c =
        lower_and_check(_mm_loadu_si128(reinterpret_cast<const __m128i*>(label + i)), valid);
    const unsigned mask = size - i >= 16 ? 0xFFFFu : (1u << (size - i)) - 1;
    if ((valid & mask) != mask) return NameStatus::BadCharacter;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes_.data() + start + i), c);
  }
  for (; i < size; ++i) {
    const char stored = kNameBytes[label[i]];
    if (stored == 0) return NameStatus::BadCharacter;
    bytes_[start + i] = stored;
  }
  length_ = static_cast<std::uint8_t>(start + size);
  ++label_count_;
  return NameStatus::Ok;
}

std::size_t DomainName::assign_wire(const std::uint8_t* wire, std::size_t readable,
                                    NameStatus& status, std::size_t before) {
  length_ = 0;
  label_count_ = 0;
#ifdef TAKEDOWN_WIRE_NAME_VECTOR
  if (readable >= 2) {
    std::size_t name_length = 0;
    std::size_t name_labels = 0;
    if (const std::size_t used =
            assign_wire_vector(wire, readable, bytes_.data(), name_length, name_labels)) {
      length_ = static_cast<std::uint8_t>(name_length);
      label_count_ = static_cast<std::uint8_t>(name_labels);
      status = NameStatus::Ok;
      return used;
    }
  }
#endif
  // The structure first: where the dots go, how long the name is. Labels are few; this is a
  // handful of jumps.
  std::uint64_t dots[5] = {0, 0, 0, 0, 0};  // one spare word for dot_bits()
  std::size_t at = 0;
  std::size_t length = 0;
  std::size_t labels = 0;
  for (;;) {
    if (at >= readable) return 0;
    const std::size_t label = wire[at];
    if (label == 0) break;
    if (label > kMaxLabel || at + 1 + label > readable) return 0;
    if (length != 0) {
      dots[length >> 6] |= std::uint64_t{1} << (length & 63);
      ++length;
    }
    length += label;
    if (length > kMaxLength) return 0;
    at += 1 + label;
    ++labels;
  }
  if (length == 0) {
    status = NameStatus::Empty;
    return at + 1;
  }
  // Then the bytes: the name is the wire bytes after the first length byte, with each later
  // length byte at a dot position. Validation ignores the dot positions; the dots go in last.
  // Every chunk is a full 16-byte vector: the last one ends where the name ends (overlapping
  // the one before, which is harmless). A name shorter than 16 bytes is one vector read from its
  // start when 16 bytes may be read there, else the vector that ends where it ends, shifted down
  // (when the bytes before it may be read), else staged in a zeroed vector: no byte-by-byte tail.
  const std::uint8_t* text = wire + 1;
  // The dots go into the vector before it is stored: byte stores into bytes just stored would
  // stall the next wide load of the name (the suffix walk's) on store forwarding.
  const auto check_store = [&](__m128i raw, std::size_t pos, unsigned mask) {
    unsigned valid = 0;
    const unsigned at_dots = dot_bits(dots, pos);
    const __m128i c = with_dots(lower_and_check(raw, valid), at_dots);
    if (((valid | at_dots) & mask) != mask) return false;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes_.data() + pos), c);
    return true;
  };
  const auto chunk = [&](const std::uint8_t* from, std::size_t pos, unsigned mask) {
    return check_store(_mm_loadu_si128(reinterpret_cast<const __m128i*>(from)), pos, mask);
  };
  bool ok = true;
  if (length < 16) {
    const unsigned mask = (1u << length) - 1;
    if (readable >= 17) {
      ok = chunk(text, 0, mask);
#ifdef __SSSE3__
    } else if (before + 1 + length >= 16) {
      // Byte j of the result is byte j + 16 - length of the vector ending at the name's end;
      // pshufb zeroes the lanes whose index has its top bit set (those past the name).
      const __m128i tail = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + length - 16));
      const __m128i index =
          _mm_add_epi8(_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                       _mm_set1_epi8(static_cast<char>(16 - length)));
      const __m128i control = _mm_or_si128(index, _mm_cmpgt_epi8(index, _mm_set1_epi8(15)));
      ok = check_store(_mm_shuffle_epi8(tail, control), 0, mask);
#endif
    } else {
      alignas(16) std::uint8_t staged[16] = {};
      std::memcpy(staged, text, length);
      ok = chunk(staged, 0, mask);
    }
  } else {
    std::size_t i = 0;
    for (; ok && i + 16 <= length; i += 16) ok = chunk(text + i, i, 0xFFFFu);
    if (ok && i < length) ok = chunk(text + length - 16, length - 16, 0xFFFFu);
  }
  if (!ok) {
    status = NameStatus::BadCharacter;
    return at + 1;
  }
  length_ = static_cast<std::uint8_t>(length);
  label_count_ = static_cast<std::uint8_t>(labels);
  status = NameStatus::Ok;
  return at + 1;
}

}  // namespace takedown::filters
