#include "control/schema/control_messages.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "control/schema/json_writer.hpp"

namespace takedown::schema {

namespace {

// Keys keep their order (a stats reply lists the lists in first-seen order).
using Json = nlohmann::ordered_json;

// Thrown by Fields; converted to an Error at each decoder's boundary.
struct MessageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads the fields of one JSON object, naming the message and the field in every complaint.
class Fields {
 public:
  Fields(const Json& object, std::string what) : object_(object), what_(std::move(what)) {
    if (!object_.is_object()) throw MessageError(what_ + " is not a JSON object");
  }

  bool has(const char* key) const { return object_.contains(key); }
  const Json& at(const char* key) const {
    if (!has(key)) throw MessageError(what_ + " has no \"" + key + "\"");
    return object_.at(key);
  }
  std::string text(const char* key) const {
    const Json& v = at(key);
    if (!v.is_string()) throw MessageError(what_ + ": \"" + key + "\" is not a string");
    return v.get<std::string>();
  }
  std::uint64_t count(const char* key) const { return count_of(at(key), key); }
  std::uint64_t count_or(const char* key, std::uint64_t fallback) const {
    return has(key) ? count(key) : fallback;
  }
  std::int64_t integer(const char* key) const {
    const Json& v = at(key);
    if (!v.is_number_integer())
      throw MessageError(what_ + ": \"" + key + "\" is not a whole number");
    return v.get<std::int64_t>();
  }
  double number(const char* key) const {
    const Json& v = at(key);
    if (!v.is_number()) throw MessageError(what_ + ": \"" + key + "\" is not a number");
    return v.get<double>();
  }
  double number_or(const char* key, double fallback) const {
    return has(key) ? number(key) : fallback;
  }
  bool flag(const char* key) const {
    const Json& v = at(key);
    if (!v.is_boolean()) throw MessageError(what_ + ": \"" + key + "\" is not true or false");
    return v.get<bool>();
  }
  Fields object(const char* key) const { return Fields(at(key), what_ + "." + key); }
  std::vector<unsigned> indexes_or_empty(const char* key) const {
    std::vector<unsigned> out;
    if (!has(key)) return out;
    const Json& v = at(key);
    if (!v.is_array()) throw MessageError(what_ + ": \"" + key + "\" is not an array");
    for (const Json& item : v) out.push_back(static_cast<unsigned>(count_of(item, key)));
    return out;
  }
  const Json& json() const { return object_; }
  const std::string& what() const { return what_; }

  std::uint64_t count_of(const Json& v, const std::string& key) const {
    if (!v.is_number_unsigned())
      throw MessageError(what_ + ": \"" + key + "\" is not a count (a whole number >= 0)");
    return v.get<std::uint64_t>();
  }

 private:
  const Json& object_;
  std::string what_;
};

Json parse(std::string_view line, const std::string& what) {
  try {
    return Json::parse(line);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
    std::string why = e.what();
    if (const std::size_t at = why.find("] "); at != std::string::npos) why = why.substr(at + 2);
    throw MessageError(what + " is not JSON: " + why);
  }
}

template <typename Decode>
auto guarded(Decode&& decode) -> decltype(decode()) {
  try {
    return decode();
  } catch (const MessageError& e) {
    return make_error(e.what());
  } catch (const Json::exception& e) {
    return make_error(std::string("malformed message: ") + e.what());
  }
}

void write_indexes(JsonWriter& out, const char* key, const std::vector<unsigned>& indexes) {
  out.key(key).begin_array();
  for (unsigned i : indexes) out.value(i);
  out.end_array();
}

Stats read_stats(const Fields& f) {
  Stats s;
  const Fields* group_fields = &f;
  std::string group;
  std::vector<Fields> groups;
  groups.reserve(kCounterCount);
  for (std::size_t row = 0; row < kCounterCount; ++row) {
    const CounterRow& r = kCounterRows[row];
    if (r.key[0] == '\0') continue;
    if (r.group != group) {
      group = r.group;
      if (group.empty()) {
        group_fields = &f;
      } else {
        groups.push_back(f.object(r.group));
        group_fields = &groups.back();
      }
    }
    s.totals.value(row) = group_fields->count(r.key);
  }
  const Fields lists = f.object("lists");
  for (const auto& [name, hits] : lists.json().items()) {
    s.lists.push_back({name, lists.count_of(hits, name)});
  }
  const Fields snapshot = f.object("snapshot");
  s.generation = snapshot.count("generation");
  s.domains = snapshot.count("domains");
  const Fields ports = f.object("ports");
  for (const auto& [name, value] : ports.json().items()) {
    const Fields port(value, ports.what() + "." + name);
    s.ports.push_back({name, port.count("rx"), port.count("tx"), 0, 0, port.count("rx_missed")});
  }
  s.workers = static_cast<unsigned>(f.count("workers"));
  s.elapsed_seconds = f.number("elapsed_seconds");
  return s;
}

// The reply as T, or the ErrorReply it is.
template <typename T, typename Read>
Result<Reply<T>> decode_reply(std::string_view line, const char* what, Read&& read) {
  return guarded([&]() -> Result<Reply<T>> {
    const Json json = parse(line, what);
    const Fields f(json, what);
    if (!f.flag("ok")) {
      ErrorReply e;
      e.error = f.has("error") ? f.text("error") : "takedownd refused the request";
      e.generation = f.count_or("generation", 0);
      return Reply<T>(std::move(e));
    }
    return Reply<T>(read(f));
  });
}

// `now_unix` > 0 (status): each source also gets its copy's age, for an operator reading it.
void write_sources(JsonWriter& out, const std::vector<SourceStatus>& sources, double now_unix = 0) {
  out.key("sources").begin_array();
  for (const SourceStatus& s : sources) {
    out.begin_object().field("list", s.list).field("kind", s.kind).field("origin", s.origin);
    out.field("version", s.version);
    if (s.has_serial) out.field("serial", s.serial);
    out.field("entries", s.entries).field("failures", s.failures);
    out.field("consecutive_failures", s.consecutive_failures);
    out.field("last_success_unix", s.last_success_unix, 3);
    out.field("last_attempt_unix", s.last_attempt_unix, 3);
    if (now_unix > 0 && s.last_success_unix > 0)
      out.field("age_seconds", std::max(0.0, now_unix - s.last_success_unix), 1);
    out.field("last_error", s.last_error).field("expired", s.expired);
    out.end_object();
  }
  out.end_array();
}

std::vector<SourceStatus> read_sources(const Fields& f) {
  std::vector<SourceStatus> out;
  if (!f.has("sources")) return out;
  const Json& list = f.at("sources");
  if (!list.is_array()) throw MessageError(f.what() + ": \"sources\" is not an array");
  for (const Json& item : list) {
    const Fields s(item, f.what() + "'s source");
    SourceStatus status;
    status.list = s.text("list");
    status.kind = s.text("kind");
    status.origin = s.text("origin");
    status.version = s.text("version");
    status.has_serial = s.has("serial");
    status.serial = s.count_or("serial", 0);
    status.entries = s.count("entries");
    status.failures = s.count("failures");
    status.consecutive_failures = s.count_or("consecutive_failures", 0);
    status.last_success_unix = s.number("last_success_unix");
    status.last_attempt_unix = s.number("last_attempt_unix");
    status.last_error = s.text("last_error");
    status.expired = s.flag("expired");
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace

std::string encode(const Request& request) {
  JsonWriter out;
  out.begin_object();
  if (const auto* load = std::get_if<LoadRequest>(&request)) {
    out.field("command", "load").field("snapshot", load->snapshot);
    if (load->compile_ms > 0) out.field("compile_ms", load->compile_ms, 3);
  } else if (std::holds_alternative<StatsRequest>(request)) {
    out.field("command", "stats");
  } else if (const auto* failed = std::get_if<ReloadFailedRequest>(&request)) {
    out.field("command", "reload_failed").field("stage", failed->stage);
    out.field("error", failed->error);
  } else if (const auto* sources = std::get_if<SourcesRequest>(&request)) {
    out.field("command", "sources");
    write_sources(out, sources->sources);
  } else {
    out.field("command", "status");
  }
  out.end_object();
  return out.take();
}

Result<Request> decode_request(std::string_view line) {
  return guarded([&]() -> Result<Request> {
    const Json json = parse(line, "the request");
    if (!json.is_object() || !json.contains("command") || !json["command"].is_string()) {
      return make_error("request must be a JSON object with a \"command\"");
    }
    const Fields f(json, "the request");
    const std::string command = f.text("command");
    if (command == "load") {
      if (!f.has("snapshot") || !f.at("snapshot").is_string() || f.text("snapshot").empty())
        return make_error("load needs \"snapshot\": the path of a compiled snapshot");
      return Request(LoadRequest{f.text("snapshot"), f.number_or("compile_ms", 0)});
    }
    if (command == "stats") return Request(StatsRequest{});
    if (command == "status") return Request(StatusRequest{});
    if (command == "reload_failed") {
      return Request(ReloadFailedRequest{f.text("stage"), f.text("error")});
    }
    if (command == "sources") {
      if (!f.has("sources")) return make_error("sources needs \"sources\": an array of lists");
      return Request(SourcesRequest{read_sources(f)});
    }
    return make_error("unknown command '" + command +
                      "' (expected load, stats, status, reload_failed or sources)");
  });
}

std::string encode(const ErrorReply& reply) {
  JsonWriter out;
  out.begin_object().field("ok", false).field("error", reply.error);
  out.field("generation", reply.generation).end_object();
  return out.take();
}

std::string encode(const LoadReply& reply) {
  JsonWriter out;
  out.begin_object().field("ok", true);
  out.field("generation", reply.generation).field("domains", reply.domains);
  out.field("lists", reply.lists);
  out.field("verify_us", reply.verify_us, 1).field("prepare_us", reply.prepare_us, 1);
  out.field("swap_us", reply.swap_us, 1);
  write_indexes(out, "lagging_workers", reply.lagging_workers);
  out.end_object();
  return out.take();
}

std::string encode(const StatsReply& reply) {
  JsonWriter out;
  out.begin_object().field("ok", true).key("stats");
  write_stats(out, reply.stats);
  out.end_object();
  return out.take();
}

std::string encode(const StatusReply& reply) {
  JsonWriter out;
  out.begin_object().field("ok", true).field("version", reply.version);
  out.field("pid", reply.pid).field("uptime_seconds", reply.uptime_seconds, 1);
  out.field("generation", reply.generation);
  out.key("snapshot").begin_object().field("origin", reply.origin);
  out.field("domains", reply.domains).field("regex_rules", reply.regex_rules);
  out.field("url_rules", reply.url_rules).field("bytes", reply.bytes);
  out.field("created_unix", reply.created_unix).end_object();
  out.key("lists").begin_array();
  for (const ListStatus& l : reply.lists) {
    out.begin_object().field("name", l.name).field("format", l.format);
    out.field("source", l.source).field("entries", l.entries).field("skipped", l.skipped);
    out.end_object();
  }
  out.end_array();
  write_indexes(out, "lagging_workers", reply.lagging_workers);
  out.field("retired_pending", reply.retired_pending);
  out.key("last_failure").begin_object().field("stage", reply.last_failure.stage);
  out.field("error", reply.last_failure.error);
  out.field("unix_seconds", reply.last_failure.unix_seconds, 3).end_object();
  write_sources(out, reply.sources, reply.now_unix);
  out.field("now_unix", reply.now_unix, 3);
  out.end_object();
  return out.take();
}

std::string encode(const AckReply& reply) {
  JsonWriter out;
  out.begin_object().field("ok", true).field("generation", reply.generation).end_object();
  return out.take();
}

Result<Reply<LoadReply>> decode_load_reply(std::string_view line) {
  return decode_reply<LoadReply>(line, "the load reply", [](const Fields& f) {
    LoadReply r;
    r.generation = f.count("generation");
    r.domains = f.count("domains");
    r.lists = f.count("lists");
    r.verify_us = f.number("verify_us");
    r.prepare_us = f.number("prepare_us");
    r.swap_us = f.number("swap_us");
    r.lagging_workers = f.indexes_or_empty("lagging_workers");
    return r;
  });
}

Result<Reply<StatsReply>> decode_stats_reply(std::string_view line) {
  return decode_reply<StatsReply>(line, "the stats reply", [](const Fields& f) {
    return StatsReply{read_stats(f.object("stats"))};
  });
}

Result<Reply<StatusReply>> decode_status_reply(std::string_view line) {
  return decode_reply<StatusReply>(line, "the status reply", [](const Fields& f) {
    StatusReply r;
    r.version = f.text("version");
    r.pid = f.integer("pid");
    r.uptime_seconds = f.number("uptime_seconds");
    r.generation = f.count("generation");
    const Fields s = f.object("snapshot");
    r.origin = s.text("origin");
    r.domains = s.count("domains");
    r.regex_rules = s.count("regex_rules");
    r.url_rules = s.count("url_rules");
    r.bytes = s.count("bytes");
    r.created_unix = s.count("created_unix");
    const Json& lists = f.at("lists");
    if (!lists.is_array()) throw MessageError("the status reply: \"lists\" is not an array");
    for (const Json& item : lists) {
      const Fields l(item, "the status reply's list");
      r.lists.push_back({l.text("name"), l.text("format"), l.text("source"), l.count("entries"),
                         l.count("skipped")});
    }
    r.lagging_workers = f.indexes_or_empty("lagging_workers");
    r.retired_pending = f.count_or("retired_pending", 0);
    if (f.has("last_failure")) {
      const Fields failure = f.object("last_failure");
      r.last_failure = {failure.text("stage"), failure.text("error"),
                        failure.number("unix_seconds")};
    }
    r.sources = read_sources(f);
    r.now_unix = f.number_or("now_unix", 0);
    return r;
  });
}

Result<Reply<AckReply>> decode_ack_reply(std::string_view line) {
  return decode_reply<AckReply>(line, "the reply",
                                [](const Fields& f) { return AckReply{f.count("generation")}; });
}

}  // namespace takedown::schema
