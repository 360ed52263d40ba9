// Defines to_string() and parse() for an enum class from its X-macro list of (Name, "text") pairs,
// so the names a user types, the names logs and metrics print, and the enum itself cannot drift
// (the VPP foreach_* idea). Use in one .cpp per enum, inside the enum's namespace.
#pragma once

#include <string_view>
#include <type_traits>

#define TAKEDOWN_ENUM_TEXT_CASE(name, text) \
  case Enum::name:                          \
    return text;
#define TAKEDOWN_ENUM_TEXT_PARSE(name, text) \
  if (input == text) {                       \
    out = Enum::name;                        \
    return true;                             \
  }

// std::string_view to_string(EnumType)
#define TAKEDOWN_DEFINE_TO_STRING(EnumType, LIST)    \
  std::string_view to_string(EnumType value) {       \
    using Enum = EnumType;                           \
    switch (value) { LIST(TAKEDOWN_ENUM_TEXT_CASE) } \
    return "unknown";                                \
  }

// bool parse(std::string_view, EnumType&): false when the text names no value.
#define TAKEDOWN_DEFINE_PARSE(EnumType, LIST)         \
  bool parse(std::string_view input, EnumType& out) { \
    using Enum = EnumType;                            \
    LIST(TAKEDOWN_ENUM_TEXT_PARSE)                    \
    return false;                                     \
  }
