// TSIG secrets in the three shapes operators have them: alone, a BIND key clause, a Knot key.
#include "control/sources/tsig_secret.hpp"

#include <gtest/gtest.h>

namespace takedown::control {
namespace {

constexpr const char* kSecret = "iRVVnxf8LAFR5KHt/kcGoY/BBo8q3KKOGag4CqNEdZY=";

std::string secret_in(const std::string& text) {
  auto s = tsig_secret_in(text, "k.key");
  return s ? *s : s.error();
}

TEST(TsigSecret, AloneInBindClauseOrKnotEntry) {
  EXPECT_EQ(secret_in(std::string(kSecret) + "\n"), kSecret);
  // tsig-keygen xfr-key (BIND 9.18)
  EXPECT_EQ(secret_in(std::string("key \"xfr-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"") +
                      kSecret + "\";\n};\n"),
            kSecret);
  // keymgr -t xfr-key hmac-sha256 (Knot 3.2): the comment line repeats it, and is ignored
  EXPECT_EQ(
      secret_in(std::string("# hmac-sha256:xfr-key:") + kSecret +
                "\nkey:\n  - id: xfr-key\n    algorithm: hmac-sha256\n    secret: " + kSecret),
      kSecret);
}

// Base64 holds '/', so a secret may hold "//" (keymgr made "JORS00//wOUf..." in a make test run) or
// start with it. Neither is a comment; a "//" after a BIND statement still is.
TEST(TsigSecret, SlashesInsideTheSecretAreNotAComment) {
  constexpr const char* kSlashes = "JORS00//wOUf5xnjFfYZpKEw5ZEPVZ4Heb8vgWT5K20=";
  constexpr const char* kLeading = "//RSJO00wOUf5xnjFfYZpKEw5ZEPVZ4Heb8vgWT5K20=";
  EXPECT_EQ(secret_in(std::string("# hmac-sha256:xfr-key:") + kSlashes +
                      "\nkey:\n  - id: xfr-key\n    algorithm: hmac-sha256\n    secret: " +
                      kSlashes + "\n"),
            kSlashes);
  EXPECT_EQ(secret_in(std::string("key \"k\" {\n  algorithm hmac-sha256;\n  secret \"") +
                      kSlashes + "\"; // made by tsig-keygen\n};\n// end\n"),
            kSlashes);
  EXPECT_EQ(secret_in(std::string("key \"k\" {\n  secret \"") + kLeading + "\";\n};\n"), kLeading);
  EXPECT_EQ(secret_in(std::string("    secret: ") + kLeading + "   # Knot\n"), kLeading);
  EXPECT_EQ(secret_in(std::string(kLeading) + "\n"), kLeading);
  EXPECT_EQ(secret_in(std::string(kSlashes) + "\n"), kSlashes);
  EXPECT_EQ(secret_in(std::string(kSlashes) + "  # made by hand\n"), kSlashes);
  EXPECT_EQ(secret_in("// " + std::string(kSlashes) + "\n" + kLeading + "\n"), kLeading);
  EXPECT_EQ(secret_in(std::string("secret \"") + kSlashes + "x!\";\n"),
            "k.key: the TSIG secret is not base64");
}

TEST(TsigSecret, WhatIsNotOneGoodSecretIsNamed) {
  EXPECT_EQ(secret_in(""),
            "k.key: expected one TSIG secret (base64 alone, a BIND key clause with secret "
            "\"...\";, or a Knot key with secret: ...), found 0");
  EXPECT_EQ(secret_in(std::string("secret \"") + kSecret + "\";\nsecret \"" + kSecret + "\";\n"),
            "k.key: expected one TSIG secret (base64 alone, a BIND key clause with secret "
            "\"...\";, or a Knot key with secret: ...), found 2");
  EXPECT_EQ(secret_in("not base64 at all!\n"), "k.key: the TSIG secret is not base64");
  EXPECT_EQ(secret_in("c2hvcnQ=\n"), "k.key: the TSIG secret is 5 bytes, expected at least 16");
  auto missing = read_tsig_secret("/nonexistent/k.key");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "/nonexistent/k.key: cannot open the TSIG secret: No such file or directory");
}

TEST(TsigSecret, AlgorithmNamesAsSigned) {
  EXPECT_EQ(tsig_algorithm_name("hmac-sha256"), "hmac-sha256.");
  EXPECT_EQ(tsig_algorithm_name("hmac-md5"), "hmac-md5.sig-alg.reg.int.");
}

}  // namespace
}  // namespace takedown::control
