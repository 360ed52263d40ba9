#include "filters/match/domain_name.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/support/wire_name_reference.hpp"

namespace takedown::filters {
namespace {

NameStatus status_of(std::string_view text) {
  DomainName name;
  return name.assign(text);
}

std::string normalized(std::string_view text) {
  DomainName name;
  EXPECT_EQ(name.assign(text), NameStatus::Ok) << text;
  return std::string(name.view());
}

TEST(DomainName, LowercasesAndDropsOneTrailingDot) {
  EXPECT_EQ(normalized("WWW.Example.COM."), "www.example.com");
  EXPECT_EQ(normalized("example.com"), "example.com");
  EXPECT_EQ(normalized("_dmarc.Example.org"), "_dmarc.example.org");
  EXPECT_EQ(normalized("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(status_of("example.com.."), NameStatus::EmptyLabel);
}

TEST(DomainName, WalksLabelsForTheSuffixWalk) {
  DomainName name;
  ASSERT_EQ(name.assign("a.bc.example.com"), NameStatus::Ok);
  ASSERT_EQ(name.label_count(), 4u);
  EXPECT_EQ(name.suffix(0), "a.bc.example.com");
  EXPECT_EQ(name.suffix(1), "bc.example.com");
  EXPECT_EQ(name.suffix(2), "example.com");
  EXPECT_EQ(name.suffix(3), "com");
  EXPECT_EQ(name.next_label(0), 2u);
  EXPECT_EQ(name.next_label(2), 5u);
  EXPECT_EQ(name.next_label(13), 16u);  // past the last label: the length
  EXPECT_EQ(name.label_start_mask(), (1u << 0) | (1u << 2) | (1u << 5) | (1u << 13));
}

TEST(DomainName, LabelStartMaskIgnoresBytesLeftFromALongerPreviousName) {
  DomainName name;
  ASSERT_EQ(name.assign("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.example.com"),
            NameStatus::Ok);
  ASSERT_EQ(name.assign("ab.cd"), NameStatus::Ok);
  EXPECT_EQ(name.label_start_mask(), (1u << 0) | (1u << 3));
  std::string long_labels = std::string(40, 'a') + "." + std::string(30, 'b') + ".com";
  ASSERT_EQ(name.assign(long_labels), NameStatus::Ok);
  EXPECT_EQ(name.label_start_mask(),
            (std::uint64_t{1} << 0) | (std::uint64_t{1} << 41));  // ".com" starts at 72
  EXPECT_EQ(name.suffix(2), "com");
}

TEST(DomainName, RejectsEmptyAndEmptyLabels) {
  EXPECT_EQ(status_of(""), NameStatus::Empty);
  EXPECT_EQ(status_of("."), NameStatus::Empty);
  EXPECT_EQ(status_of(".example.com"), NameStatus::EmptyLabel);
  EXPECT_EQ(status_of("a..b"), NameStatus::EmptyLabel);
}

TEST(DomainName, EnforcesLabelAndNameLengthLimits) {
  const std::string label63(63, 'a');
  const std::string label64(64, 'a');
  EXPECT_EQ(status_of(label63 + ".com"), NameStatus::Ok);
  EXPECT_EQ(status_of(label64 + ".com"), NameStatus::LabelTooLong);
  EXPECT_EQ(status_of("com." + label64), NameStatus::LabelTooLong);
  // 4 labels of 63 with 3 dots = 255 bytes: too long; 253 bytes is the maximum.
  std::string longest = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                        std::string(63, 'c') + "." + std::string(61, 'd');
  ASSERT_EQ(longest.size(), 253u);
  EXPECT_EQ(status_of(longest), NameStatus::Ok);
  EXPECT_EQ(status_of(longest + "."), NameStatus::Ok);
  EXPECT_EQ(status_of(longest + "d"), NameStatus::TooLong);
}

TEST(DomainName, MostLabelsFitTheOffsetTable) {
  std::string many;
  for (int i = 0; i < 127; ++i) many += i ? ".a" : "a";
  ASSERT_EQ(many.size(), 253u);
  DomainName name;
  ASSERT_EQ(name.assign(many), NameStatus::Ok);
  EXPECT_EQ(name.label_count(), 127u);
  EXPECT_EQ(name.suffix(126), "a");
}

TEST(DomainName, RejectsBytesThatAreNotLdhOrUnderscore) {
  const std::string_view bads[] = {"exa mple.com",
                                   "example.com/",
                                   "ex*ample.com",
                                   "bücher.example",
                                   std::string_view("ex\0ample.com", 12),
                                   "a\tb",
                                   "a@b.com"};
  for (std::string_view bad : bads) {
    EXPECT_EQ(status_of(bad), NameStatus::BadCharacter) << bad;
  }
  EXPECT_EQ(to_string(NameStatus::BadCharacter), "character not allowed in a name");
}

}  // namespace
}  // namespace takedown::filters

namespace takedown::filters {
namespace {

TEST(DomainName, WideLabelPathLowercasesValidatesAndIgnoresBytesPastTheLabel) {
  // 40 readable bytes; the label is the first 21 of them, the rest is junk that must not matter.
  std::string buffer = "ABCDEFGHIJKLMNOPqrs-_" + std::string(19, '*');
  DomainName name;
  name.clear();
  ASSERT_EQ(
      name.append_label(reinterpret_cast<const std::uint8_t*>(buffer.data()), 21, buffer.size()),
      NameStatus::Ok);
  ASSERT_EQ(name.append_label(reinterpret_cast<const std::uint8_t*>("COM"), 3), NameStatus::Ok);
  EXPECT_EQ(name.view(), "abcdefghijklmnopqrs-_.com");
  EXPECT_EQ(name.label_count(), 2u);
  for (std::size_t bad = 0; bad < 21; ++bad) {  // a bad byte anywhere inside the label is caught
    std::string copy = buffer;
    copy[bad] = '*';
    name.clear();
    EXPECT_EQ(
        name.append_label(reinterpret_cast<const std::uint8_t*>(copy.data()), 21, copy.size()),
        NameStatus::BadCharacter)
        << bad;
  }
}

TEST(DomainName, WireFastPathAgreesWithTheLabelByLabelPath) {
  std::mt19937 random(20261125);
  // \xE1 and \xC1 are 'a' and 'A' with the top bit set: no name bytes, whatever a table of 128
  // bytes would make of them.
  const std::string alphabet = "abcxyzABCXYZ0189-_.*\x01 \xE1\xC1";
  for (int round = 0; round < 200000; ++round) {
    std::vector<std::uint8_t> wire;
    const int labels = static_cast<int>(random() % 8);
    for (int l = 0; l < labels; ++l) {
      const std::size_t length = random() % 9 == 0 ? 40 + random() % 30 : 1 + random() % 20;
      wire.push_back(random() % 50 == 0 ? static_cast<std::uint8_t>(0xC0)
                                        : static_cast<std::uint8_t>(length));
      for (std::size_t i = 0; i < length; ++i) {
        const bool odd = random() % 200 == 0;
        wire.push_back(static_cast<std::uint8_t>(
            odd ? alphabet[random() % alphabet.size()]
                : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"[random() %
                                                                                    63]));
      }
    }
    wire.push_back(0);
    const std::size_t question = wire.size();
    for (int pad = 0; pad < 20; ++pad) wire.push_back(static_cast<std::uint8_t>(random()));
    const std::size_t readable =
        random() % 4 == 0 ? random() % (wire.size() + 1) : question + random() % 21;
    // The fast path reads from `before` bytes ahead of the name to `readable` bytes into it, and
    // no further: an exactly sized copy lets AddressSanitizer (make test's ASan suite) catch a
    // read outside. Short names take the shifted-vector path when `before` allows it.
    const std::size_t before = random() % 3 == 0 ? 0 : random() % 17;
    const auto bytes = std::make_unique<std::uint8_t[]>(before + readable);
    for (std::size_t i = 0; i < before; ++i) bytes[i] = static_cast<std::uint8_t>(random());
    std::copy(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(readable),
              bytes.get() + before);
    DomainName fast;
    DomainName slow;
    NameStatus fast_status = NameStatus::Ok;
    NameStatus slow_status = NameStatus::Ok;
    const std::size_t fast_used =
        fast.assign_wire(bytes.get() + before, readable, fast_status, before);
    const std::size_t slow_used =
        testing::wire_name_by_label(wire.data(), readable, slow, slow_status);
    ASSERT_EQ(fast_used, slow_used) << round;
    if (fast_used == 0) continue;
    ASSERT_EQ(fast_status, slow_status) << round;
    if (fast_status == NameStatus::Ok) {
      ASSERT_EQ(fast.view(), slow.view()) << round;
      ASSERT_EQ(fast.label_count(), slow.label_count()) << round;
    }
  }
}

}  // namespace
}  // namespace takedown::filters
