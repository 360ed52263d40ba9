#include "control/sources/url_source.hpp"

#include <cstdio>
#include <filesystem>
#include <vector>

#include "control/compile/snapshot_compiler.hpp"
#include "control/lists/list_loader.hpp"
#include "control/sources/url_fetcher.hpp"

namespace takedown::control {

std::string refuse_reason(const schema::ListConfig& list, const std::string& origin,
                          std::string_view bytes, std::uint64_t& entries) {
  ParsedList parsed;
  parsed.report.name = list.name;
  parsed.report.path = origin;
  parse_list_bytes(list.format, bytes, parsed);
  entries = parsed.report.loaded;
  const std::string format(to_string(list.format));
  if (parsed.report.loaded == 0) {
    std::string why = origin + ": refused, it loads no entry as a " + format + " list";
    if (!parsed.report.first_skips.empty()) why += " (first: " + parsed.report.first_skips[0] + ")";
    return why;
  }
  if (parsed.report.skipped > parsed.report.loaded) {
    return origin + ": refused, it skips more lines (" + std::to_string(parsed.report.skipped) +
           ") than it loads (" + std::to_string(parsed.report.loaded) + ") as a " + format +
           " list; first: " + parsed.report.first_skips[0];
  }
  return {};
}

SourceUpdate update_url_source(const schema::ListConfig& list) {
  SourceUpdate out;
  out.state = load_source_state(list.path);
  SourceState& s = out.state;
  // Validators are only worth sending while the copy they describe is there.
  std::error_code ec;
  const bool have_copy = std::filesystem::exists(list.path, ec);
  const UrlFetch fetched = fetch_url(list.url, have_copy ? s.etag : std::string(),
                                     have_copy ? s.last_modified : std::string());
  const double now = unix_now();
  s.last_attempt_unix = now;
  std::string error;
  if (fetched.outcome == UrlFetch::Outcome::Failed) {
    error = fetched.error;
  } else if (fetched.outcome == UrlFetch::Outcome::NotModified) {
    out.ok = true;
    out.message = list.url.url + ": not modified (304), the copy stays";
  } else {
    std::uint64_t entries = 0;
    error = refuse_reason(list, list.url.url, fetched.body, entries);
    if (error.empty()) {
      std::filesystem::create_directories(std::filesystem::path(list.path).parent_path(), ec);
      auto written = write_file_atomically(
          list.path, std::vector<std::uint8_t>(fetched.body.begin(), fetched.body.end()));
      if (!written) {
        error = written.error();
      } else {
        out.ok = true;
        out.changed = true;
        s.entries = entries;
        s.bytes = fetched.body.size();
        s.etag = fetched.etag;
        s.last_modified = fetched.last_modified;
        s.last_change_unix = now;
        char line[160];
        std::snprintf(line, sizeof line, ": fetched, %zu bytes, %llu entries, %.0f ms",
                      fetched.body.size(), static_cast<unsigned long long>(entries),
                      fetched.seconds * 1e3);
        out.message = list.url.url + line;
      }
    }
  }
  if (out.ok) {
    s.last_success_unix = now;
    s.consecutive_failures = 0;
    s.last_error.clear();
  } else {
    ++s.failures;
    ++s.consecutive_failures;
    s.last_error = error;
    out.message =
        error + (have_copy ? "; the last good copy stays" : "; there is no good copy yet");
  }
  std::filesystem::create_directories(std::filesystem::path(list.path).parent_path(), ec);
  if (auto saved = save_source_state(list.path, s); !saved) {
    out.message += "; and the source state was not saved: " + saved.error();
  }
  return out;
}

}  // namespace takedown::control
