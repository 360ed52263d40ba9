#include "dataplane/service/control_commands.hpp"

#include <unistd.h>

#include <cstdio>

namespace takedown::dataplane {

namespace {

constexpr const char* kVersion = "0.1.0";

}  // namespace

std::string ControlCommands::handle(std::string_view line) {
  auto request = schema::decode_request(line);
  if (!request) {
    return schema::encode(schema::ErrorReply{request.error(), registry_.current().generation()});
  }
  if (const auto* load_request = std::get_if<schema::LoadRequest>(&*request)) {
    if (load_request->compile_ms > 0)
      registry_.history().last_compile_ms = load_request->compile_ms;
    return load(*load_request);
  }
  if (std::holds_alternative<schema::StatsRequest>(*request)) {
    return schema::encode(schema::StatsReply{stats_()});
  }
  if (const auto* failed = std::get_if<schema::ReloadFailedRequest>(&*request)) {
    std::fprintf(stderr, "takedownd: takedownctl reports a failed reload (%s): %s\n",
                 failed->stage.c_str(), failed->error.c_str());
    registry_.history().failed(failed->stage, failed->error);
    return schema::encode(schema::AckReply{registry_.current().generation()});
  }
  if (auto* sources = std::get_if<schema::SourcesRequest>(&*request)) {
    for (const auto& s : sources->sources) {
      if (s.consecutive_failures == 1 && !s.last_error.empty())
        std::fprintf(stderr, "takedownd: list '%s': %s\n", s.list.c_str(), s.last_error.c_str());
    }
    registry_.history().sources = std::move(sources->sources);
    return schema::encode(schema::AckReply{registry_.current().generation()});
  }
  return status();
}

std::string ControlCommands::load(const schema::LoadRequest& request) {
  const std::string& path = request.snapshot;
  auto report = registry_.load_file(path);
  if (!report) {
    std::fprintf(stderr, "takedownd: refused snapshot: %s\n", report.error().c_str());
    return schema::encode(schema::ErrorReply{report.error(), registry_.current().generation()});
  }
  std::fprintf(stderr,
               "takedownd: generation %llu from %s: %llu domains, %llu lists, verify %.0f us, "
               "scratch %.0f us, swap %.0f us\n",
               static_cast<unsigned long long>(report->generation), path.c_str(),
               static_cast<unsigned long long>(report->domains),
               static_cast<unsigned long long>(report->lists), report->verify_us,
               report->prepare_us, report->swap_us);
  for (unsigned w : report->lagging_workers) {
    std::fprintf(stderr,
                 "takedownd: worker %u has not reported a quiescent state within the grace "
                 "period's deadline; the old snapshot is freed once it has\n",
                 w);
  }
  return schema::encode(*report);
}

std::string ControlCommands::status() const {
  const ActiveSnapshot& active = registry_.current();
  const filters::Snapshot& snapshot = active.snapshot();
  schema::StatusReply reply;
  reply.version = kVersion;
  reply.pid = ::getpid();
  reply.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  reply.generation = active.generation();
  reply.origin = active.origin();
  reply.domains = snapshot.meta().domain_count;
  reply.regex_rules = snapshot.meta().regex_rule_count;
  reply.url_rules = snapshot.meta().url_rule_count;
  reply.bytes = snapshot.file_size();
  reply.created_unix = snapshot.created_unix();
  for (std::size_t l = 0; l < snapshot.lists().size(); ++l) {
    const auto& record = snapshot.lists()[l];
    reply.lists.push_back({std::string(snapshot.list_name(l)),
                           std::string(snapshot.text(record.format)),
                           std::string(snapshot.list_source(l)), record.entries, record.skipped});
  }
  reply.lagging_workers = registry_.lagging();
  reply.retired_pending = registry_.retired();
  reply.last_failure = registry_.history().last_failure;
  reply.sources = registry_.history().sources;
  reply.now_unix =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return schema::encode(reply);
}

}  // namespace takedown::dataplane
