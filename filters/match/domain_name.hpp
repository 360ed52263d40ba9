// DomainName: one name in the normalised form every matcher lookup takes.
//
// Normalisation follows DESIGN.md: ASCII lowercase, one trailing dot removed, labels of 1..63
// bytes, at most 253 bytes in all. Label characters are letters, digits, '-' and '_' (the last for
// service labels such as _dmarc). Internationalised names must already be in A-label (xn--) form;
// any other byte makes the name invalid.
//
// Layout: one 64-byte-aligned block of 256 bytes, length and label count first, then the bytes,
// so a typical name and its header share one cache line. Label starts are found by scanning for
// dots on data already in L1, which is cheaper than a 128-byte offset table in other cache lines.
//
// Hot path: assign() does not allocate, is O(len) and is safe on any thread. A DomainName is a
// plain value; keep one per packet slot in a burst, never one per label.
#pragma once

#include <emmintrin.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

#define TAKEDOWN_NAME_STATUSES(X)               \
  X(Ok, "ok")                                   \
  X(Empty, "empty name")                        \
  X(TooLong, "name longer than 253 bytes")      \
  X(EmptyLabel, "empty label")                  \
  X(LabelTooLong, "label longer than 63 bytes") \
  X(BadCharacter, "character not allowed in a name")

TAKEDOWN_ENUM(NameStatus, TAKEDOWN_NAME_STATUSES)

class alignas(64) DomainName {
 public:
  static constexpr std::size_t kMaxLength = 253;
  static constexpr std::size_t kMaxLabel = 63;
  static constexpr std::size_t kMaxLabels = 127;

  // Normalises `text` into this object. On any status but Ok the object holds no valid name.
  // No allocation, O(len).
  NameStatus assign(std::string_view text);

  // Builds a name label by label, as a DNS wire-format parser reads it. clear() first; each
  // append_label() validates, lowercases and adds the label; finish() applies the empty-name
  // check. Same rules and statuses as assign(). No allocation.
  void clear() {
    length_ = 0;
    label_count_ = 0;
  }
  // `readable` (>= size) is how many bytes from `label` may be read: with 16 of them the label is
  // lowercased and validated 16 bytes at a time (SSE2); the bytes past the label are ignored.
  NameStatus append_label(const std::uint8_t* label, std::size_t size, std::size_t readable);
  NameStatus append_label(const std::uint8_t* label, std::size_t size) {
    return append_label(label, size, size);
  }
  NameStatus finish() const { return length_ == 0 ? NameStatus::Empty : NameStatus::Ok; }

  // The fast path for a DNS wire-format name without compression: length-prefixed labels ending
  // in a zero byte at `wire`, `readable` bytes readable from there. The whole name is lowercased
  // and validated 16 bytes at a time, and the length bytes become dots; it reads nothing outside
  // [wire - before, wire + readable). Returns the bytes the name takes (its zero byte included)
  // with `status` set as assign() would (Empty for the root name), or 0 when the name needs the
  // label-by-label path: a compression pointer, a bad label type, more than 253 bytes, or a label
  // running past `readable`. No allocation.
  // `before` is how many bytes before `wire` may be read (a DNS question has the 12-byte header
  // there): a name under 16 bytes is then read as the one vector that ends where it ends, and
  // shifted into place, rather than copied byte by byte into a staging vector first (which stalls
  // the vector load on the copy's stores).
  // With AVX-512 (BW, VBMI, VBMI2) a name of up to 63 bytes takes one 64-byte vector and no branch
  // per label: its length bytes are guessed as the bytes that are not name bytes, and the guess is
  // checked all at once (domain_name.cpp); a label of 45 or 48..57 bytes, whose length byte is a
  // '-' or a digit, fails the check and takes the path above, as does anything unusual.
  std::size_t assign_wire(const std::uint8_t* wire, std::size_t readable, NameStatus& status,
                          std::size_t before = 0);

  std::string_view view() const { return {bytes_.data(), length_}; }
  std::size_t length() const { return length_; }
  std::size_t label_count() const { return label_count_; }
  const char* data() const { return bytes_.data(); }
  // Where the label after the one starting at `offset` starts; length() after the last label.
  // Labels are short, so a plain loop beats a call into libc's memchr.
  std::size_t next_label(std::size_t offset) const {
    while (offset < length_ && bytes_[offset] != '.') ++offset;
    return offset < length_ ? offset + 1 : length_;
  }
  // Bit i is set when a label starts at byte i, for the first 64 bytes (bit 0 always, for a valid
  // name). The suffix walk steps through it with ctz; past byte 64 it continues with next_label().
  // Three SSE2 instructions per 16 bytes the name covers, no branch per byte; a name of up to 46
  // bytes stays in the object's first cache line.
  std::uint64_t label_start_mask() const {
    std::uint64_t dots = 0;
    const __m128i dot = _mm_set1_epi8('.');
    for (int k = 0; k < 4 && 16 * k < length_; ++k) {
      const __m128i chunk =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes_.data() + std::ptrdiff_t{16} * k));
      dots |=
          std::uint64_t{static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, dot)))}
          << (16 * k);
    }
    if (length_ < 64) dots &= (std::uint64_t{1} << length_) - 1;
    return (dots << 1) | 1;
  }
  // The suffix that starts at label i ("b.example.com" for i = 1 of "a.b.example.com"). O(len).
  std::string_view suffix(std::size_t i) const {
    std::size_t offset = 0;
    for (; i > 0; --i) offset = next_label(offset);
    return {bytes_.data() + offset, length_ - offset};
  }

 private:
  std::uint8_t length_ = 0;
  std::uint8_t label_count_ = 0;
  std::array<char, 254> bytes_{};  // zeroed once, so wide loads past the name read defined bytes
};
static_assert(sizeof(DomainName) == 256);

}  // namespace takedown::filters
