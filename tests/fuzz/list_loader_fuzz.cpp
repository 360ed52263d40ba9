// libFuzzer target: the list loader. The first byte picks the format (its index in
// TAKEDOWN_LIST_FORMATS, modulo their count) and, in its top bit, whether the list is
// `match: exact` for the over-broad check; the rest is the file.
#include "control/lists/list_loader.hpp"
#include "control/lists/over_broad.hpp"

namespace {
#define TAKEDOWN_X(name, text) +1
constexpr unsigned kFormats = 0 TAKEDOWN_LIST_FORMATS(TAKEDOWN_X);
#undef TAKEDOWN_X
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = static_cast<takedown::control::ListFormat>((data[0] & 0x7f) % kFormats);
  takedown::control::ParsedList list;
  list.report.name = "fuzz";
  list.report.path = "fuzz.txt";
  takedown::control::parse_list_bytes(format, {reinterpret_cast<const char*>(data) + 1, size - 1},
                                      list);
  if (list.report.loaded != list.entries.size()) __builtin_trap();
  takedown::control::warn_over_broad(list, true, (data[0] & 0x80) != 0);
  for (const auto& e : list.entries) {
    if (e.override_index > list.overrides.size()) __builtin_trap();
  }
  // Every skip and warning is noted once (or counted as not noted), and listed back.
  const auto& r = list.report;
  if (r.notes.size() + r.unnoted != r.skipped + r.warned) __builtin_trap();
  if (r.all_notes().size() != r.notes.size()) __builtin_trap();
  return 0;
}
