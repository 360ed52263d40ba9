// SourceState: what takedownctl knows of a list it fetches (URL) or transfers (RPZ), kept beside
// the last good copy as <copy>.state (JSON), so that a restarted takedownctl sends a conditional
// GET or an IXFR from where it left off, and status can say how old the copy is.
//
// Written through a temporary file and a rename after every attempt, good or bad; a missing or
// unreadable state file is an empty state (the next fetch is unconditional). Cold path.
#pragma once

#include <cstdint>
#include <string>

#include "filters/common/result.hpp"

namespace takedown::control {

struct SourceState {
  // The copy: when it was last confirmed current (a 200, a 304, a transfer or an up-to-date SOA).
  double last_success_unix = 0;
  double last_attempt_unix = 0;
  double last_change_unix = 0;  // when the copy's bytes last changed
  std::uint64_t failures = 0;   // attempts that failed, ever
  std::uint64_t consecutive_failures = 0;
  std::string last_error;     // of the newest failed attempt; "" after a success
  std::uint64_t entries = 0;  // entries the copy loads
  std::uint64_t bytes = 0;    // size of the copy
  // URL sources.
  std::string etag;
  std::string last_modified;
  // Zone transfers: the zone's SOA as last transferred.
  bool has_serial = false;
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::string last_transfer;  // "AXFR" or "IXFR"
  // The zone passed its SOA expire time since the last success; with transfer.expired: drop, the
  // copy then holds the SOA alone and the list loads nothing until a transfer succeeds.
  bool expired = false;
};

// <copy>.state
std::string state_path(const std::string& copy_path);
// The state stored for `copy_path`, or an empty one when there is none or it cannot be read.
SourceState load_source_state(const std::string& copy_path);
Result<bool> save_source_state(const std::string& copy_path, const SourceState& state);

double unix_now();

}  // namespace takedown::control
