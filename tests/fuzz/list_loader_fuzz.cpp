// libFuzzer target: the list loader. The first byte picks the format, the rest is the file.
#include "control/lists/list_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = static_cast<takedown::control::ListFormat>(data[0] % 8);
  takedown::control::ParsedList list;
  list.report.name = "fuzz";
  list.report.path = "fuzz.txt";
  takedown::control::parse_list_bytes(format, {reinterpret_cast<const char*>(data) + 1, size - 1},
                                      list);
  if (list.report.loaded != list.entries.size()) __builtin_trap();
  return 0;
}
