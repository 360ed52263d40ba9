// DomainName: one name in the normalised form every matcher lookup takes.
//
// Normalisation follows DESIGN.md: ASCII lowercase, one trailing dot removed, labels of 1..63
// bytes, at most 253 bytes in all. Label characters are letters, digits, '-' and '_' (the last for
// service labels such as _dmarc). Internationalised names must already be in A-label (xn--) form;
// any other byte makes the name invalid. The label start offsets are recorded while normalising,
// so the suffix walk needs no second scan.
//
// Hot path: normalize() does not allocate, is O(len) and is safe on any thread. A DomainName is a
// plain value (about 400 bytes); keep one per packet slot in a burst, never one per label.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace takedown::filters {

#define TAKEDOWN_NAME_STATUSES(X)                      \
  X(Ok, "ok")                                          \
  X(Empty, "empty name")                               \
  X(TooLong, "name longer than 253 bytes")             \
  X(EmptyLabel, "empty label")                         \
  X(LabelTooLong, "label longer than 63 bytes")        \
  X(BadCharacter, "character not allowed in a name")

enum class NameStatus : std::uint8_t {
#define TAKEDOWN_X(name, text) name,
  TAKEDOWN_NAME_STATUSES(TAKEDOWN_X)
#undef TAKEDOWN_X
};

std::string_view to_string(NameStatus status);

class DomainName {
 public:
  static constexpr std::size_t kMaxLength = 253;
  static constexpr std::size_t kMaxLabel = 63;
  static constexpr std::size_t kMaxLabels = 127;

  // Normalises `text` into this object. On any status but Ok the object holds no valid name.
  // No allocation, O(len).
  NameStatus assign(std::string_view text);

  std::string_view view() const { return {bytes_.data(), length_}; }
  std::size_t length() const { return length_; }
  std::size_t label_count() const { return label_count_; }
  // Offset of label i, counted from the left: label 0 starts the whole name.
  std::size_t label_offset(std::size_t i) const { return label_offsets_[i]; }
  // The suffix that starts at label i ("b.example.com" for i = 1 of "a.b.example.com").
  std::string_view suffix(std::size_t i) const {
    return {bytes_.data() + label_offsets_[i], std::size_t{length_} - label_offsets_[i]};
  }

 private:
  std::array<char, 256> bytes_;
  std::array<std::uint8_t, kMaxLabels + 1> label_offsets_;
  std::uint8_t length_ = 0;
  std::uint8_t label_count_ = 0;
};

}  // namespace takedown::filters
