#include "control/sources/list_sources.hpp"

#include "control/run/control_client.hpp"
#include "control/schema/control_messages.hpp"
#include "control/sources/transfer_source.hpp"

namespace takedown::control {

SourceUpdate update_source(const schema::ListConfig& list) {
  return list.source == schema::SourceKind::Url ? update_url_source(list)
                                                : update_transfer_source(list);
}

schema::SourceStatus source_status(const schema::ListConfig& list, const SourceState& state) {
  schema::SourceStatus s;
  s.list = list.name;
  s.kind = list.source == schema::SourceKind::Url ? "url" : "transfer";
  s.origin = schema::source_text(list);
  if (state.has_serial) {
    s.version = std::to_string(state.serial);
  } else {
    s.version = !state.etag.empty() ? state.etag : state.last_modified;
  }
  s.has_serial = state.has_serial;
  s.serial = state.serial;
  s.entries = state.entries;
  s.failures = state.failures;
  s.consecutive_failures = state.consecutive_failures;
  s.last_success_unix = state.last_success_unix;
  s.last_attempt_unix = state.last_attempt_unix;
  s.last_error = state.last_error;
  s.expired = state.expired;
  return s;
}

std::vector<schema::SourceStatus> sources_status(const schema::Config& config) {
  std::vector<schema::SourceStatus> out;
  for (const auto& list : config.lists) {
    if (is_fetched(list)) out.push_back(source_status(list, load_source_state(list.path)));
  }
  return out;
}

bool report_sources(const schema::Config& config) {
  auto line =
      control_request(config.control.socket, schema::SourcesRequest{sources_status(config)}, 2000);
  if (!line) return false;
  auto reply = schema::decode_ack_reply(*line);
  return reply && std::holds_alternative<schema::AckReply>(*reply);
}

}  // namespace takedown::control
