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

NameStatus DomainName::append_label(const std::uint8_t* label, std::size_t size) {
  if (size == 0) return NameStatus::EmptyLabel;
  if (size > kMaxLabel) return NameStatus::LabelTooLong;
  const std::size_t start = length_ == 0 ? 0 : std::size_t{length_} + 1;
  if (start + size > kMaxLength) return NameStatus::TooLong;
  if (length_ != 0) bytes_[length_] = '.';
  for (std::size_t i = 0; i < size; ++i) {
    const char stored = kNameBytes[label[i]];
    if (stored == 0) return NameStatus::BadCharacter;
    bytes_[start + i] = stored;
  }
  length_ = static_cast<std::uint8_t>(start + size);
  ++label_count_;
  return NameStatus::Ok;
}

}  // namespace takedown::filters
