#include "control/sources/source_state.hpp"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "control/compile/snapshot_compiler.hpp"

namespace takedown::control {

std::string state_path(const std::string& copy_path) { return copy_path + ".state"; }

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

SourceState load_source_state(const std::string& copy_path) {
  SourceState s;
  std::ifstream in(state_path(copy_path), std::ios::binary);
  if (!in) return s;
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!j.is_object()) return s;
  const auto get = [&](const char* key, auto& into) {
    const auto it = j.find(key);
    if (it == j.end()) return;
    using T = std::decay_t<decltype(into)>;
    if constexpr (std::is_same_v<T, std::string>) {
      if (it->is_string()) into = it->template get<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (it->is_boolean()) into = it->template get<bool>();
    } else if constexpr (std::is_floating_point_v<T>) {
      if (it->is_number()) into = it->template get<T>();
    } else {
      if (it->is_number_unsigned()) into = static_cast<T>(it->template get<std::uint64_t>());
    }
  };
  get("last_success_unix", s.last_success_unix);
  get("last_attempt_unix", s.last_attempt_unix);
  get("last_change_unix", s.last_change_unix);
  get("failures", s.failures);
  get("consecutive_failures", s.consecutive_failures);
  get("last_error", s.last_error);
  get("entries", s.entries);
  get("bytes", s.bytes);
  get("etag", s.etag);
  get("last_modified", s.last_modified);
  get("has_serial", s.has_serial);
  get("serial", s.serial);
  get("refresh", s.refresh);
  get("retry", s.retry);
  get("expire", s.expire);
  get("last_transfer", s.last_transfer);
  get("expired", s.expired);
  return s;
}

Result<bool> save_source_state(const std::string& copy_path, const SourceState& s) {
  nlohmann::json j = {
      {"last_success_unix", s.last_success_unix},
      {"last_attempt_unix", s.last_attempt_unix},
      {"last_change_unix", s.last_change_unix},
      {"failures", s.failures},
      {"consecutive_failures", s.consecutive_failures},
      {"last_error", s.last_error},
      {"entries", s.entries},
      {"bytes", s.bytes},
      {"etag", s.etag},
      {"last_modified", s.last_modified},
      {"has_serial", s.has_serial},
      {"serial", s.serial},
      {"refresh", s.refresh},
      {"retry", s.retry},
      {"expire", s.expire},
      {"last_transfer", s.last_transfer},
      {"expired", s.expired},
  };
  // Invalid UTF-8 (an error text quoting a server) is replaced, never a throw.
  const std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return write_file_atomically(state_path(copy_path),
                               std::vector<std::uint8_t>(text.begin(), text.end()));
}

}  // namespace takedown::control
