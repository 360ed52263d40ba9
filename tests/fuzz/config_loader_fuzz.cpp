// libFuzzer target: the YAML config loader (schema checks included; list files are not read).
#include <string>

#include "control/schema/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = takedown::schema::parse_config(text, "/fuzz/config.yaml");
  if (config && config->lists.empty()) __builtin_trap();  // a valid config always has lists
  return 0;
}
