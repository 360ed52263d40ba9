#include "control/compile/snapshot_compiler.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "control/lists/over_broad.hpp"

namespace takedown::control {
namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void set_addresses(filters::Policy& p, const std::vector<std::array<std::uint8_t, 4>>& a,
                   const std::vector<std::array<std::uint8_t, 16>>& aaaa) {
  p.a = {};
  p.aaaa = {};
  p.a_count = static_cast<std::uint8_t>(std::min(a.size(), filters::Policy::kMaxAddresses));
  p.aaaa_count = static_cast<std::uint8_t>(std::min(aaaa.size(), filters::Policy::kMaxAddresses));
  std::copy_n(a.begin(), p.a_count, p.a.begin());
  std::copy_n(aaaa.begin(), p.aaaa_count, p.aaaa.begin());
}

}  // namespace

filters::Policy list_policy(const schema::ListConfig& list) {
  filters::Policy p;
  p.action = list.action;
  p.dns = list.response.dns;
  p.http = list.response.http;
  p.tls = list.response.tls;
  p.ttl = list.response.ttl;
  // An allow list of the config is the operator's word: it outranks even an $important block.
  p.important = list.action == filters::Action::Allow ? 1 : 0;
  if (p.dns == filters::DnsResponse::Sinkhole)
    set_addresses(p, list.response.a, list.response.aaaa);
  return p;
}

filters::Policy apply_override(const filters::Policy& base, const PolicyOverride& o) {
  filters::Policy p = base;
  if (o.action) {
    // The list's action frames the entry's: an allow list allows everything in it, and a log
    // (shadow) list only logs what its entries would block.
    if (base.action == filters::Action::Block) p.action = *o.action;
    if (base.action == filters::Action::Log && *o.action == filters::Action::Allow)
      p.action = filters::Action::Allow;
  }
  if (o.dns) {
    p.dns = *o.dns;
    if (p.dns == filters::DnsResponse::Sinkhole && (!o.a.empty() || !o.aaaa.empty())) {
      set_addresses(p, o.a, o.aaaa);
    }
    if (p.dns == filters::DnsResponse::Drop) {
      p.http = filters::TcpResponse::Drop;
      p.tls = filters::TcpResponse::Drop;
    }
  }
  if (o.ttl) p.ttl = *o.ttl;
  if (p.dns != filters::DnsResponse::Sinkhole) set_addresses(p, {}, {});
  // A log (shadow) rule never outranks anything, important or not.
  p.important = p.action != filters::Action::Log && (base.important != 0 || o.important) ? 1 : 0;
  return p;
}

namespace {

// A transferred zone may be empty: a feed with nothing to block right now, or one expired and
// dropped (transfer.expired: drop). Only a list from a file or a URL must load an entry.
bool may_be_empty(const schema::ListConfig& list) {
  return list.source == schema::SourceKind::Transfer;
}

Result<CompileOutput> compile_lists(const schema::Config& config) {
  const auto start = std::chrono::steady_clock::now();
  CompileOutput out;
  std::vector<ParsedList> lists;
  std::uint64_t domain_entries = 0;
  for (const schema::ListConfig& list : config.lists) {
    if (list.source != schema::SourceKind::File && ::access(list.path.c_str(), R_OK) != 0) {
      return make_error("list '" + list.name + "' (" + schema::source_text(list) +
                        "): no good copy of it yet in the state folder (" + list.path +
                        "): `takedownctl fetch -c CONFIG` or `takedownctl run` gets one");
    }
    auto parsed = load_list(list.format, list.path, list.name);
    if (!parsed) return make_error(parsed.error());
    warn_over_broad(*parsed, list.action == filters::Action::Block,
                    list.match == schema::MatchMode::Exact);
    for (const ListEntry& e : parsed->entries) domain_entries += e.kind == EntryKind::Domain;
    lists.push_back(std::move(parsed).value());
  }
  out.parse_ms = ms_since(start);

  const auto build_start = std::chrono::steady_clock::now();
  SnapshotBuilder builder(config.bloom_false_positive_rate);
  // The SOA serial of every negative answer: when this snapshot was compiled.
  const auto serial = static_cast<std::uint32_t>(std::time(nullptr));
  builder.begin_domains(domain_entries);
  std::vector<std::pair<std::size_t, std::uint32_t>> regex_origin, url_origin;  // (list, line)
  for (std::size_t l = 0; l < lists.size(); ++l) {
    const schema::ListConfig& list = config.lists[l];
    ParsedList& parsed = lists[l];
    const filters::Policy base = list_policy(list);
    const auto too_many = [&](std::uint32_t line) {
      return make_error(
          list.path + ":" + std::to_string(line) + ": list '" + list.name +
          "': this entry needs answer number " + std::to_string(SnapshotBuilder::kMaxPolicies + 1) +
          ", and a snapshot holds at most " + std::to_string(SnapshotBuilder::kMaxPolicies) +
          " distinct answers (action, response, addresses, TTL): use fewer "
          "distinct local-data addresses or TTLs");
    };
    // An override's policy is added when an entry first uses it: a limit is then met at a line.
    constexpr std::int32_t kUnset = -1;
    std::vector<std::int32_t> policy_of(parsed.overrides.size() + 1, kUnset);
    const auto policy_for = [&](std::uint32_t override_index) -> std::optional<std::uint16_t> {
      if (policy_of[override_index] == kUnset) {
        const auto added = builder.add_policy(
            override_index == 0 ? base
                                : apply_override(base, parsed.overrides[override_index - 1]));
        if (!added) return std::nullopt;
        policy_of[override_index] = *added;
      }
      return static_cast<std::uint16_t>(policy_of[override_index]);
    };
    const auto list_policy_index = policy_for(0);
    if (!list_policy_index) return too_many(static_cast<std::uint32_t>(list.line));
    auto answer = list_answer(list.name, list.response, serial);
    if (!answer) return make_error(config.path + ":" + std::to_string(list.line) + ": " +
                                   answer.error());
    const std::uint16_t index = builder.add_list(
        list.name, schema::source_text(list), to_string(list.format), *list_policy_index,
        list.match == schema::MatchMode::Exact, parsed.entries.size(), parsed.report.skipped,
        *answer);
    for (const ListEntry& e : parsed.entries) {
      const auto policy = policy_for(e.override_index);
      if (!policy) return too_many(e.line);
      const filters::Rule rule{e.line, index, *policy};
      switch (e.kind) {
        case EntryKind::Domain: {
          auto scope = static_cast<std::uint32_t>(e.scope);
          if (list.match == schema::MatchMode::Exact && e.scope == Scope::Both)
            scope = filters::SuffixSlot::kApex;
          if (builder.add_domain(e.text, scope, rule) == DomainAdd::Full) {
            return make_error(list.path + ":" + std::to_string(e.line) + ": list '" + list.name +
                              "': the snapshot's name table is full (1 GiB of names)");
          }
          break;
        }
        case EntryKind::Regex:
          builder.add_regex(e.text, rule);
          regex_origin.emplace_back(l, e.line);
          break;
        case EntryKind::Url:
          builder.add_url(e.text, e.path, rule);
          url_origin.emplace_back(l, e.line);
          break;
      }
    }
  }
  std::vector<PatternFailure> regex_failures, url_failures;
  auto bytes = builder.build(regex_failures, url_failures);
  if (!bytes) return make_error(bytes.error());
  // A rule Hyperscan rejects would be silently missing from the data plane: refuse the snapshot.
  std::string rejected;
  for (auto [failures, origin] :
       {std::pair{&regex_failures, &regex_origin}, std::pair{&url_failures, &url_origin}}) {
    for (const PatternFailure& f : *failures) {
      const auto [list, line] = (*origin)[f.index];
      rejected += "\n  " + config.lists[list].path + ":" + std::to_string(line) + ": " + f.message;
    }
  }
  if (!rejected.empty()) return make_error("patterns that Hyperscan rejects:" + rejected);
  for (std::size_t l = 0; l < lists.size(); ++l) {
    ParsedList& parsed = lists[l];
    if (parsed.report.loaded == 0 && !may_be_empty(config.lists[l])) {
      std::string why = parsed.report.path + ": list '" + parsed.report.name +
                        "' has no valid entry (" + std::to_string(parsed.report.lines) +
                        " lines, " + std::to_string(parsed.report.skipped) + " skipped)";
      for (const auto& s : parsed.report.first_skips) why += "\n  " + s;
      return make_error(why);
    }
    out.reports.push_back(std::move(parsed.report));
  }
  out.snapshot = std::move(bytes).value();
  out.stats = builder.stats();
  out.build_ms = ms_since(build_start);
  out.total_ms = ms_since(start);
  return out;
}

}  // namespace

Result<CompileOutput> compile_snapshot(const schema::Config& config) {
  // The boundary of the build side: nothing a list can cause escapes as an exception (a run of
  // `takedownctl run` must outlive any list).
  try {
    return compile_lists(config);
  } catch (const std::bad_alloc&) {
    return make_error(config.path + ": out of memory while compiling its lists");
  } catch (const std::exception& e) {
    return make_error(config.path + ": compiling its lists failed: " + e.what());
  }
}

Result<CompileOutput> compile_config_file(const std::string& config_path) {
  auto config = schema::load_config(config_path);
  if (!config) return make_error(config.error());
  auto compiled = compile_snapshot(*config);
  if (!compiled) return make_error("compile failed: " + compiled.error());
  return compiled;
}

std::vector<std::string> skip_summary(const CompileOutput& compiled) {
  std::vector<std::string> out;
  for (const ListReport& r : compiled.reports) {
    if (r.skipped != 0) {
      std::string line = "list '" + r.name + "': " + std::to_string(r.skipped) + " entries skipped";
      if (!r.first_skips.empty()) line += ", first: " + r.first_skips.front();
      out.push_back(std::move(line));
    }
    if (r.warned != 0) {
      out.push_back("list '" + r.name + "': " + std::to_string(r.warned) +
                    " warnings (the entries loaded), first: " + r.first_warnings.front());
    }
  }
  return out;
}

Result<bool> write_file_atomically(const std::string& path,
                                   const std::vector<std::uint8_t>& bytes) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(temp + ": cannot create: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return make_error(temp + ": write failed: " + std::strerror(saved));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  if (::close(fd) != 0 || !synced) {
    const int saved = synced ? errno : sync_errno;
    ::unlink(temp.c_str());
    return make_error(temp + ": cannot flush: " + std::strerror(saved));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return make_error(path + ": cannot rename into place: " + std::strerror(saved));
  }
  // The rename itself survives a power cut once the folder is synced.
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return true;
}

}  // namespace takedown::control
