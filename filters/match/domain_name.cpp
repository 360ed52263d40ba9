#include "filters/match/domain_name.hpp"

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

}  // namespace

TAKEDOWN_DEFINE_TO_STRING(NameStatus, TAKEDOWN_NAME_STATUSES)

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
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(label + i));
    const auto in_range = [](__m128i v, char lo, char hi) {
      return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                           _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    c = _mm_or_si128(c, _mm_and_si128(in_range(c, 'A', 'Z'), _mm_set1_epi8(0x20)));
    const __m128i valid = _mm_or_si128(
        _mm_or_si128(in_range(c, 'a', 'z'), in_range(c, '0', '9')),
        _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('-')), _mm_cmpeq_epi8(c, _mm_set1_epi8('_'))));
    const unsigned mask = size - i >= 16 ? 0xFFFFu : (1u << (size - i)) - 1;
    if ((static_cast<unsigned>(_mm_movemask_epi8(valid)) & mask) != mask)
      return NameStatus::BadCharacter;
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

}  // namespace takedown::filters
