// libFuzzer target: the list loader. The first byte picks the format (its index in
// TAKEDOWN_LIST_FORMATS, modulo their count), the rest is the file.
#include "control/lists/list_loader.hpp"

namespace {
#define TAKEDOWN_X(name, text) +1
constexpr unsigned kFormats = 0 TAKEDOWN_LIST_FORMATS(TAKEDOWN_X);
#undef TAKEDOWN_X
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = static_cast<takedown::control::ListFormat>(data[0] % kFormats);
  takedown::control::ParsedList list;
  list.report.name = "fuzz";
  list.report.path = "fuzz.txt";
  takedown::control::parse_list_bytes(format, {reinterpret_cast<const char*>(data) + 1, size - 1},
                                      list);
  if (list.report.loaded != list.entries.size()) __builtin_trap();
  return 0;
}
