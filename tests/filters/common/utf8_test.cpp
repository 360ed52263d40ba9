// The UTF-8 helpers that the config reader, the JSON writer, the list answers and the DNS answer
// writer share: RFC 3629 sequences, and cuts that never split a character.
#include "filters/common/utf8.hpp"

#include <gtest/gtest.h>

namespace takedown::filters {
namespace {

TEST(Utf8, SequencesAreMeasuredAndMalformedOnesRefused) {
  EXPECT_EQ(utf8_sequence("a"), 1u);
  EXPECT_EQ(utf8_sequence("\xC3\xA9t\xC3\xA9"), 2u);  // é
  EXPECT_EQ(utf8_sequence("\xE2\x82\xAC"), 3u);        // €
  EXPECT_EQ(utf8_sequence("\xF0\x9F\x9B\xA1"), 4u);    // U+1F6E1
  EXPECT_EQ(utf8_sequence(""), 0u);
  EXPECT_EQ(utf8_sequence("\x80"), 0u);              // a lone continuation byte
  EXPECT_EQ(utf8_sequence("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(utf8_sequence("\xE0\x80\xAF"), 0u);      // overlong, three bytes
  EXPECT_EQ(utf8_sequence("\xED\xA0\x80"), 0u);      // a surrogate
  EXPECT_EQ(utf8_sequence("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_sequence("\xE2\x82"), 0u);          // cut short
  EXPECT_TRUE(valid_utf8("Blocked: fake support \xE2\x80\x94 call-centre scam"));
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_FALSE(valid_utf8("ok \xE2\x82"));
  EXPECT_FALSE(valid_utf8("\xFF"));
}

TEST(Utf8, ACutNeverSplitsACharacter) {
  const std::string_view text = "ab\xE2\x82\xAC" "cd";  // a b € c d: 7 bytes
  EXPECT_EQ(utf8_fit(text, 100), 7u);
  EXPECT_EQ(utf8_fit(text, 7), 7u);
  EXPECT_EQ(utf8_fit(text, 6), 6u);
  EXPECT_EQ(utf8_fit(text, 5), 5u);  // after the €
  EXPECT_EQ(utf8_fit(text, 4), 2u);  // inside the €: cut before it
  EXPECT_EQ(utf8_fit(text, 3), 2u);
  EXPECT_EQ(utf8_fit(text, 2), 2u);
  EXPECT_EQ(utf8_fit(text, 0), 0u);
  EXPECT_TRUE(valid_utf8(text.substr(0, utf8_fit(text, 4))));
}

}  // namespace
}  // namespace takedown::filters
