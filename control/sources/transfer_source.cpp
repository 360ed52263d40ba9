#include "control/sources/transfer_source.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <vector>

#include "control/compile/snapshot_compiler.hpp"
#include "control/lists/list_loader.hpp"
#include "control/sources/tsig_secret.hpp"
#include "control/sources/zone_transfer.hpp"

namespace takedown::control {
namespace {

Result<bool> write_text(const std::string& path, const std::string& text) {
  return write_file_atomically(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

// The zones this process transferred last, by copy path: an IXFR is applied to the one held here
// when it is at the copy's serial, instead of parsing the copy again (a 66k-record copy takes
// ~0.5 s to read back through ldns; the diff itself ~1 ms). The run loop is single-threaded.
std::map<std::string, ZoneRecords>& held_zones() {
  static std::map<std::string, ZoneRecords> zones;
  return zones;
}

std::string figures(const TransferOutcome& t) {
  char line[200];
  std::snprintf(line, sizeof line, "%llu bytes in %llu messages, %.1f ms",
                static_cast<unsigned long long>(t.wire_bytes),
                static_cast<unsigned long long>(t.messages), t.seconds * 1e3);
  return line;
}

}  // namespace

SourceUpdate update_transfer_source(const schema::ListConfig& list) {
  SourceUpdate out;
  out.state = load_source_state(list.path);
  SourceState& s = out.state;
  const std::string origin = schema::source_text(list);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(list.path).parent_path(), ec);
  const double now = unix_now();
  s.last_attempt_unix = now;
  std::string error;
  std::string secret;
  if (list.transfer.signed_with_tsig) {
    auto read = read_tsig_secret(list.transfer.tsig.secret_file);
    if (read)
      secret = *read;
    else
      error = read.error();
  }
  ZoneRecords zone(list.transfer.zone);
  std::string note;
  auto cached = held_zones().find(list.path);
  const bool have_copy = std::filesystem::exists(list.path, ec);
  if (error.empty() && s.has_serial && !s.expired && have_copy && cached != held_zones().end() &&
      cached->second.zone() == list.transfer.zone && cached->second.soa().serial == s.serial) {
    zone = cached->second;
  } else if (error.empty() && s.has_serial && !s.expired &&
             std::filesystem::exists(list.path, ec)) {
    auto held = ZoneRecords::read_copy(list.path, list.transfer.zone);
    if (held)
      zone = std::move(*held);
    else
      note = "; " + held.error() + ", so a full transfer";
  }
  if (error.empty()) {
    const std::uint32_t before = zone.soa().serial;
    TransferOutcome t = transfer_zone(list.transfer, secret, zone);
    if (t.kind == TransferOutcome::Kind::Failed) {
      error = t.error;
    } else if (t.kind == TransferOutcome::Kind::UpToDate) {
      out.ok = true;
      if (zone.has_soa()) held_zones()[list.path] = zone;
      out.message = origin + ": serial " + std::to_string(before) + " is current (" + t.asked +
                    ", " + figures(t) + ")";
    } else {
      // Unlike a URL's body, a zone came as verified DNS records: an empty policy zone, or one
      // of triggers this parser skips (rpz-ip ...), is what the feed says, not an error page.
      const std::string text = zone.zone_file();
      ParsedList parsed;
      parsed.report.name = list.name;
      parsed.report.path = origin;
      parse_list_bytes(list.format, text, parsed);
      const std::uint64_t entries = parsed.report.loaded;
      if (auto written = write_text(list.path, text); !written) error = written.error();
      if (error.empty()) {
        out.ok = true;
        out.changed = true;
        held_zones()[list.path] = zone;
        const SoaTimers& soa = zone.soa();
        s.has_serial = true;
        s.serial = soa.serial;
        s.refresh = soa.refresh;
        s.retry = soa.retry;
        s.expire = soa.expire;
        s.entries = entries;
        s.bytes = text.size();
        s.last_change_unix = now;
        s.last_transfer = t.kind == TransferOutcome::Kind::Full ? "AXFR" : "IXFR";
        out.message = origin + ": " + s.last_transfer + " to serial " + std::to_string(soa.serial);
        if (t.kind == TransferOutcome::Kind::Incremental) {
          out.message += " from " + std::to_string(before) + ", +" + std::to_string(t.added) +
                         " -" + std::to_string(t.removed) + " records";
        } else {
          out.message += ", " + std::to_string(t.added) + " records";
        }
        out.message += ", " + std::to_string(entries) + " entries (" + t.asked + ", " + figures(t) +
                       ")" + note;
      }
    }
  }
  if (out.ok) {
    s.last_success_unix = now;
    s.consecutive_failures = 0;
    s.last_error.clear();
    s.expired = false;
  } else {
    ++s.failures;
    ++s.consecutive_failures;
    s.last_error = error;
    out.message = error;
    // An expire shorter than refresh plus retry (0, say) would expire a zone at its first failed
    // attempt: the zone gets at least that long, as BIND does.
    const double floor = std::min(static_cast<double>(s.refresh) + s.retry, 2.0 * 86400);
    const double expire = std::max(static_cast<double>(s.expire), floor);
    const bool expired_now =
        s.has_serial && s.last_success_unix > 0 && now > s.last_success_unix + expire;
    if (expired_now) {
      if (!s.expired && list.transfer.expired == schema::ExpiredZone::Drop) {
        if (auto held = ZoneRecords::read_copy(list.path, list.transfer.zone)) {
          held->clear_records();
          if (auto written = write_text(list.path, held->zone_file()); written) out.changed = true;
        }
      }
      s.expired = true;
      out.message += "; ZONE EXPIRED: no transfer for " +
                     std::to_string(static_cast<long long>(now - s.last_success_unix)) +
                     " s, past the SOA expire of " +
                     std::to_string(static_cast<long long>(expire)) + " s; " +
                     (list.transfer.expired == schema::ExpiredZone::Drop
                          ? "its entries are dropped (transfer.expired: drop)"
                          : "the expired copy stays in use (transfer.expired: keep)");
    } else {
      out.message += s.has_serial ? "; the copy at serial " + std::to_string(s.serial) + " stays"
                                  : "; there is no good copy yet";
    }
  }
  if (auto saved = save_source_state(list.path, s); !saved) {
    out.message += "; and the source state was not saved: " + saved.error();
  }
  return out;
}

}  // namespace takedown::control
