#include "control/compile/snapshot_compiler.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

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

filters::Policy list_policy(const ListConfig& list) {
  filters::Policy p;
  p.action = list.action;
  p.dns = list.response.dns;
  p.http = list.response.http;
  p.tls = list.response.tls;
  p.ttl = list.response.ttl;
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
  return p;
}

Result<CompileOutput> compile_snapshot(const Config& config) {
  const auto start = std::chrono::steady_clock::now();
  CompileOutput out;
  std::vector<ParsedList> lists;
  std::uint64_t domain_entries = 0;
  for (const ListConfig& list : config.lists) {
    auto parsed = load_list(list.format, list.path, list.name);
    if (!parsed) return make_error(parsed.error());
    for (const ListEntry& e : parsed->entries) domain_entries += e.kind == EntryKind::Domain;
    lists.push_back(std::move(parsed).value());
  }
  out.parse_ms = ms_since(start);

  const auto build_start = std::chrono::steady_clock::now();
  SnapshotBuilder builder(config.bloom_false_positive_rate);
  builder.begin_domains(domain_entries);
  std::vector<std::pair<std::size_t, std::uint32_t>> regex_origin, url_origin;  // (list, line)
  for (std::size_t l = 0; l < lists.size(); ++l) {
    const ListConfig& list = config.lists[l];
    ParsedList& parsed = lists[l];
    const filters::Policy base = list_policy(list);
    std::vector<std::uint16_t> policy_of(parsed.overrides.size() + 1);
    policy_of[0] = builder.add_policy(base);
    for (std::size_t o = 0; o < parsed.overrides.size(); ++o) {
      policy_of[o + 1] = builder.add_policy(apply_override(base, parsed.overrides[o]));
    }
    const std::uint16_t index = builder.add_list(list.name, list.path, to_string(list.format),
                                                 policy_of[0], list.match == MatchMode::Exact,
                                                 parsed.entries.size(), parsed.report.skipped);
    for (const ListEntry& e : parsed.entries) {
      const filters::Rule rule{e.line, index, policy_of[e.override_index]};
      switch (e.kind) {
        case EntryKind::Domain: {
          auto scope = static_cast<std::uint32_t>(e.scope);
          if (list.match == MatchMode::Exact && e.scope == Scope::Both)
            scope = filters::SuffixSlot::kApex;
          builder.add_domain(e.text, scope, rule);
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
  for (auto [failures, origin] :
       {std::pair{&regex_failures, &regex_origin}, std::pair{&url_failures, &url_origin}}) {
    for (const PatternFailure& f : *failures) {
      ListReport& report = lists[(*origin)[f.index].first].report;
      report.skip((*origin)[f.index].second, f.message);
      out.pattern_errors.push_back(report.path + ":" + std::to_string((*origin)[f.index].second) +
                                   ": " + f.message);
      --report.loaded;
    }
  }
  for (ParsedList& parsed : lists) {
    if (parsed.report.loaded == 0) {
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

Result<CompileOutput> compile_config_file(const std::string& config_path) {
  auto config = load_config(config_path);
  if (!config) return make_error(config.error());
  auto compiled = compile_snapshot(*config);
  if (!compiled) return make_error("compile failed: " + compiled.error());
  return compiled;
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
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return make_error(temp + ": cannot flush: " + std::strerror(saved));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return make_error(path + ": cannot rename into place: " + std::strerror(saved));
  }
  return true;
}

}  // namespace takedown::control
