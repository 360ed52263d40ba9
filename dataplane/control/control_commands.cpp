#include "dataplane/control/control_commands.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <ctime>

#include "control/cli/cli_output.hpp"

namespace takedown::dataplane {

namespace {

constexpr const char* kVersion = "0.1.0";

std::string error_reply(const std::string& message, std::uint64_t generation) {
  std::string out = "{\"ok\": false, \"error\": ";
  control::append_json_string(out, message);
  out += ", \"generation\": " + std::to_string(generation) + "}";
  return out;
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

}  // namespace

std::string ControlCommands::handle(std::string_view request) {
  const std::uint64_t generation = registry_.current().generation();
  YAML::Node node;
  try {
    node = YAML::Load(std::string(request));  // JSON is YAML
  } catch (const YAML::Exception& e) {
    return error_reply("request is not JSON: " + e.msg, generation);
  }
  if (!node.IsMap() || !node["command"] || !node["command"].IsScalar()) {
    return error_reply("request must be a JSON object with a \"command\"", generation);
  }
  const std::string command = node["command"].Scalar();
  if (command == "load") {
    if (!node["snapshot"] || !node["snapshot"].IsScalar() || node["snapshot"].Scalar().empty()) {
      return error_reply("load needs \"snapshot\": the path of a compiled snapshot", generation);
    }
    if (node["compile_ms"] && node["compile_ms"].IsScalar()) {
      try {
        registry_.history().last_compile_ms = node["compile_ms"].as<double>();
      } catch (const YAML::Exception&) {
      }
    }
    return load(node["snapshot"].Scalar());
  }
  if (command == "stats") return "{\"ok\": true, \"stats\": " + stats_() + "}";
  if (command == "status") return status();
  return error_reply("unknown command '" + command + "' (expected load, stats or status)",
                     generation);
}

std::string ControlCommands::load(const std::string& path) {
  auto report = registry_.load_file(path);
  if (!report) {
    std::fprintf(stderr, "takedownd: refused snapshot: %s\n", report.error().c_str());
    return error_reply(report.error(), registry_.current().generation());
  }
  std::fprintf(stderr,
               "takedownd: generation %llu from %s: %llu domains, %zu lists, verify %.0f us, "
               "scratch %.0f us, swap %.0f us\n",
               static_cast<unsigned long long>(report->generation), path.c_str(),
               static_cast<unsigned long long>(report->domains), report->lists, report->verify_us,
               report->prepare_us, report->swap_us);
  return "{\"ok\": true, \"generation\": " + std::to_string(report->generation) +
         ", \"domains\": " + std::to_string(report->domains) +
         ", \"lists\": " + std::to_string(report->lists) +
         ", \"verify_us\": " + number(report->verify_us) +
         ", \"prepare_us\": " + number(report->prepare_us) +
         ", \"swap_us\": " + number(report->swap_us) + "}";
}

std::string ControlCommands::status() const {
  const ActiveSnapshot& active = registry_.current();
  const filters::Snapshot& snapshot = active.snapshot();
  const double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string out = "{\"ok\": true, \"version\": \"";
  out += kVersion;
  out += "\", \"pid\": " + std::to_string(::getpid()) + ", \"uptime_seconds\": " + number(uptime) +
         ", \"generation\": " + std::to_string(active.generation()) +
         ", \"snapshot\": {\"origin\": ";
  control::append_json_string(out, active.origin());
  out += ", \"domains\": " + std::to_string(snapshot.meta().domain_count) +
         ", \"regex_rules\": " + std::to_string(snapshot.meta().regex_rule_count) +
         ", \"url_rules\": " + std::to_string(snapshot.meta().url_rule_count) +
         ", \"bytes\": " + std::to_string(snapshot.file_size()) +
         ", \"created_unix\": " + std::to_string(snapshot.created_unix()) + "}, \"lists\": [";
  for (std::size_t l = 0; l < snapshot.lists().size(); ++l) {
    const auto& record = snapshot.lists()[l];
    out += l == 0 ? "{\"name\": " : ", {\"name\": ";
    control::append_json_string(out, snapshot.list_name(l));
    out += ", \"format\": ";
    control::append_json_string(out, snapshot.text(record.format));
    out += ", \"source\": ";
    control::append_json_string(out, snapshot.list_source(l));
    out += ", \"entries\": " + std::to_string(record.entries) +
           ", \"skipped\": " + std::to_string(record.skipped) + "}";
  }
  out += "]}";
  return out;
}

}  // namespace takedown::dataplane
