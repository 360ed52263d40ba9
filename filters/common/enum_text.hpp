// TAKEDOWN_ENUM: an enum class and its text, from one X-macro list of (Name, "text") pairs, so the
// names a user types, the names logs and metrics print, and the enum itself cannot drift (the VPP
// foreach_* idea).
//
//   #define TAKEDOWN_COLOURS(X) X(Red, "red") X(Green, "green")
//   TAKEDOWN_ENUM(Colour, TAKEDOWN_COLOURS)          // in the header: the enum and declarations
//   TAKEDOWN_ENUM_DEFINE(Colour, TAKEDOWN_COLOURS)   // in one .cpp, in the same namespace
//
// gives `enum class Colour : std::uint8_t`, `std::string_view to_string(Colour)` (static text:
// a reason's pointer identifies it), `bool parse(std::string_view, Colour&)` and
// `std::string_view names_of(Colour)` ("red, green", for "expected one of" messages). The
// functions are pure and safe on any thread; to_string is O(1) and allocation-free.
#pragma once

#include <cstdint>
#include <string_view>

#define TAKEDOWN_ENUM_NAME_(name, text) name,
#define TAKEDOWN_ENUM_CASE_(name, text) \
  case Enum::name:                      \
    return text;
#define TAKEDOWN_ENUM_PARSE_(name, text) \
  if (input == text) {                   \
    out = Enum::name;                    \
    return true;                         \
  }
#define TAKEDOWN_ENUM_JOIN_(name, text) ", " text

#define TAKEDOWN_ENUM(EnumType, LIST)                               \
  enum class EnumType : std::uint8_t { LIST(TAKEDOWN_ENUM_NAME_) }; \
  std::string_view to_string(EnumType value);                       \
  bool parse(std::string_view input, EnumType& out);                \
  constexpr std::string_view names_of(EnumType) {                   \
    return std::string_view(LIST(TAKEDOWN_ENUM_JOIN_)).substr(2);   \
  }

#define TAKEDOWN_ENUM_DEFINE(EnumType, LIST)          \
  std::string_view to_string(EnumType value) {        \
    using Enum = EnumType;                            \
    switch (value) { LIST(TAKEDOWN_ENUM_CASE_) }      \
    return "unknown";                                 \
  }                                                   \
  bool parse(std::string_view input, EnumType& out) { \
    using Enum = EnumType;                            \
    LIST(TAKEDOWN_ENUM_PARSE_)                        \
    return false;                                     \
  }
