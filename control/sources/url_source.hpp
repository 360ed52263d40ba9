// update_url_source(): one refresh of a list that has a `url:`.
//
// Fetches with the last good copy's validators; a 304 confirms the copy. A new body is parsed in
// the list's format before anything is written: one that loads no entry, or skips more lines than
// it loads (an HTML error page served with 200, a list in another format), is refused. Only then
// is it written over the copy (temporary file, fsync, rename). Every attempt, good or bad, updates
// the source state (failures counted, the reason kept); a failure leaves the copy as it was.
// Cold path.
#pragma once

#include <string>

#include "control/schema/config.hpp"
#include "control/sources/source_state.hpp"

namespace takedown::control {

struct SourceUpdate {
  bool ok = false;       // the copy is current (fetched, or confirmed by a 304)
  bool changed = false;  // the copy's bytes changed: compile and load again
  std::string message;   // one line for the log: what happened, or why it failed
  SourceState state;     // as saved
};

SourceUpdate update_url_source(const schema::ListConfig& list);

// Parses `bytes` as `list` would be compiled; "" when they load, else why they are refused.
std::string refuse_reason(const schema::ListConfig& list, const std::string& origin,
                          std::string_view bytes, std::uint64_t& entries);

}  // namespace takedown::control
