// The lists of a config that come from a URL or a zone transfer: one refresh of any of them, and
// what status and /metrics show of them.
//
// takedownctl owns the copies and their state (control/sources/source_state.hpp); takedownd only
// shows what takedownctl last reported (the `sources` control request), so that the data plane
// never touches the network on a list's behalf. Cold path.
#pragma once

#include <string>
#include <vector>

#include "control/schema/config.hpp"
#include "control/schema/stats.hpp"
#include "control/sources/url_source.hpp"

namespace takedown::control {

inline bool is_fetched(const schema::ListConfig& list) {
  return list.source != schema::SourceKind::File;
}

// One fetch or transfer of `list`, which is_fetched().
SourceUpdate update_source(const schema::ListConfig& list);

schema::SourceStatus source_status(const schema::ListConfig& list, const SourceState& state);
// Every fetched list of `config`, from the states on disk.
std::vector<schema::SourceStatus> sources_status(const schema::Config& config);
// Sends sources_status() to takedownd (best effort: it may be down). True when it took them.
bool report_sources(const schema::Config& config);

}  // namespace takedown::control
