// takedownctl inspect (-c CONFIG | -s SNAPSHOT) CAPTURE
//
// Reads a pcap or pcapng capture (control/capture/capture_reader.hpp: every interface with its own
// link type: Ethernet, raw IP, SLL, SLL2, Cisco HDLC, null, loop), opens the wrappers the config's
// `decode:` section allows (PPPoE, MPLS, GRE, VXLAN, GTP-U, IP in IP), extracts the name of every
// DNS query, HTTP request, TLS ClientHello and QUIC Initial, judges it, and prints one JSON line
// per name:
//   {"frame":N,"proto":"dns|http|tls|quic","name":"...","verdict":"block|allow|pass|log","list":"..."}
// Names are read as takedownd reads them, through a FlowTracker: a ClientHello or request head
// over several segments and a ClientHello over several QUIC Initials are reassembled, and the
// line names the frame that completed the name, with "packets":N when it took more than one.
// Later packets of a blocked flow are counted in the summary, not judged again. Frame numbers
// start at 1, as in tshark. A summary goes to stderr. Only an unreadable file is an error; a
// capture cut short is read as far as it goes and said so.
#include <cstdio>
#include <map>
#include <string>

#include "control/capture/capture_reader.hpp"
#include "control/cli/cli_output.hpp"
#include "control/cli/command_line.hpp"
#include "control/cli/commands.hpp"
#include "control/cli/snapshot_source.hpp"
#include "control/schema/json_writer.hpp"
#include "filters/flow/flow_tracker.hpp"
#include "filters/match/matcher.hpp"

namespace takedown::control {
namespace {

constexpr const char* kHelp =
    "Usage: takedownctl inspect (-c CONFIG | -s SNAPSHOT) CAPTURE\n"
    "Extracts the names of DNS queries, HTTP requests, TLS ClientHellos and QUIC Initials from a\n"
    "pcap or pcapng capture (any mix of Ethernet, raw IP, SLL, SLL2, Cisco HDLC, null and loop\n"
    "interfaces) and judges them, inside PPPoE, MPLS, GRE, VXLAN, GTP-U and IP-in-IP wrappers,\n"
    "reassembling names over several TCP segments or QUIC Initials as takedownd does. One JSON\n"
    "line per name on stdout, at the frame that completed it:\n"
    "  {\"frame\":N,\"proto\":\"tls\",\"name\":\"...\",\"verdict\":\"block\",\"list\":\"...\"}\n"
    "(with \"packets\":N when the name took N packets, and \"wrappers\":[...] when it was wrapped),\n"
    "then a summary on stderr: frames read, names per protocol and per wrapper, flow figures,\n"
    "malformed and truncated counts by reason. Ports, wrappers and flow sizes come from the\n"
    "config's `protocols:`, `decode:` and `flows:` sections (defaults with -s).\n\n";

struct Summary {
  std::uint64_t frames = 0;
  std::map<std::uint32_t, std::uint64_t> undecodable;  // frames by a link type not decoded
  std::map<std::string, std::uint64_t> wrapped;          // names by outermost wrapper
  filters::FlowCounters flows;
  std::map<std::string, std::uint64_t> names;      // by protocol
  std::map<std::string, std::uint64_t> malformed;  // by reason
  std::map<std::string, std::uint64_t> truncated;  // by reason

  void print(const char* capture, const char* read_error) const {
    std::fprintf(stderr, "inspect: %s: %llu frames read", capture,
                 static_cast<unsigned long long>(frames));
    for (const auto& [linktype, n] : undecodable) {
      std::fprintf(stderr, " (%llu of link type %u, not decoded, skipped)",
                   static_cast<unsigned long long>(n), linktype);
    }
    std::fprintf(stderr, "\ninspect: names:");
    for (const char* proto : {"dns", "http", "tls", "quic"}) {
      const auto it = names.find(proto);
      std::fprintf(stderr, " %s %llu", proto,
                   static_cast<unsigned long long>(it == names.end() ? 0 : it->second));
    }
    if (!wrapped.empty()) {
      std::fprintf(stderr, "; wrapped:");
      for (const auto& [wrapper, n] : wrapped)
        std::fprintf(stderr, " %s %llu", wrapper.c_str(), static_cast<unsigned long long>(n));
    }
    std::fprintf(stderr, "\n");
    std::fprintf(stderr,
                 "inspect: flows: reassembled %llu, abandoned %llu, overlap conflicts %llu, "
                 "blocked-flow packets %llu, QUIC Initials decrypted %llu, failed %llu\n",
                 static_cast<unsigned long long>(flows.reassembled),
                 static_cast<unsigned long long>(flows.abandoned),
                 static_cast<unsigned long long>(flows.overlap_conflicts),
                 static_cast<unsigned long long>(flows.flow_verdicts),
                 static_cast<unsigned long long>(flows.quic_decrypted),
                 static_cast<unsigned long long>(flows.quic_failed));
    for (const auto& [label, counts] :
         {std::pair{"malformed", &malformed}, std::pair{"truncated", &truncated}}) {
      std::uint64_t total = 0;
      for (const auto& [reason, n] : *counts) total += n;
      std::fprintf(stderr, "inspect: %s: %llu", label, static_cast<unsigned long long>(total));
      for (const auto& [reason, n] : *counts) {
        std::fprintf(stderr, " %s=%llu", reason.c_str(), static_cast<unsigned long long>(n));
      }
      std::fprintf(stderr, "\n");
    }
    if (read_error != nullptr)
      std::fprintf(stderr, "inspect: the capture ends early: %s\n", read_error);
  }
};

}  // namespace

int run_inspect_command(int argc, char** argv) {
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, "csh", kHelp, cl); done >= 0) return done;
  const std::string& config_path = cl.config;
  const std::string& snapshot_path = cl.snapshot;
  const int optind = cl.first_operand;
  if (config_path.empty() == snapshot_path.empty() || optind + 1 != argc) {
    std::fputs("takedownctl inspect: needs one of -c CONFIG or -s SNAPSHOT, and one capture file\n",
               stderr);
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  const char* capture = argv[optind];
  auto reader = CaptureReader::open(capture);
  if (!reader) {
    std::fprintf(stderr, "takedownctl: %s\n", reader.error().c_str());
    return kExitFailed;
  }
  auto source = open_snapshot(config_path, snapshot_path);
  if (!source) {
    std::fprintf(stderr, "takedownctl: %s\n", source.error().c_str());
    return kExitFailed;
  }
  const filters::Snapshot& snapshot = *source->snapshot;
  const filters::Matcher matcher(snapshot);
  filters::MatchScratch scratch;
  if (auto ok = scratch.prepare(snapshot); !ok) {
    std::fprintf(stderr, "takedownctl: %s\n", ok.error().c_str());
    return kExitFailed;
  }

  // Offline there is no budget to keep: every Initial is decrypted.
  filters::FlowConfig flow_config = source->flows;
  flow_config.quic_decrypts_per_second = 0;
  auto tracker = filters::FlowTracker::create(flow_config, source->ports, 1000000);
  if (!tracker) {
    std::fprintf(stderr, "takedownctl: %s\n", tracker.error().c_str());
    return kExitFailed;
  }
  filters::FlowTracker& flows = *tracker.value();
  Summary summary;
  BufferedStdout out;
  filters::Extraction extraction;
  std::string read_error;
  CaptureFrame frame_in;
  for (CaptureReader::Next next; (next = reader.value()->next(frame_in)) != CaptureReader::Next::End;) {
    if (next == CaptureReader::Next::Error) {
      read_error = reader.value()->error();
      break;
    }
    const std::uint64_t frame = ++summary.frames;
    if (!frame_in.link) {
      ++summary.undecodable[frame_in.linktype];
      continue;
    }
    const std::span<const std::uint8_t> bytes = frame_in.bytes;
    filters::extract_name(bytes, source->ports, extraction, *frame_in.link);
    // Capture time in microseconds: the flow table's timeouts run on the capture's clock.
    const std::uint64_t now = frame_in.time_us;
    filters::FlowStep step = flows.step(bytes, extraction, now);
    if (step.kind == filters::FlowStepKind::Follows) step = flows.resolve(bytes, extraction, now);
    if (step.kind != filters::FlowStepKind::Packet && step.kind != filters::FlowStepKind::Named)
      continue;
    if (extraction.status == filters::DecodeStatus::Malformed)
      ++summary.malformed[std::string(extraction.reason)];
    if (extraction.status == filters::DecodeStatus::Truncated)
      ++summary.truncated[std::string(extraction.reason)];
    const filters::DomainName* name = extraction.name();
    if (name == nullptr) continue;
    const std::string_view proto = to_string(extraction.protocol);
    ++summary.names[std::string(proto)];
    const filters::Verdict verdict = extraction.protocol == filters::Protocol::Http
                                         ? matcher.match_http(*name, extraction.http.path, scratch)
                                         : matcher.match(*name, scratch);
    flows.settle(bytes, step, extraction, verdict, 0, now);
    std::string& line = out.buffer();
    line += "{\"frame\":" + std::to_string(frame) + ",\"proto\":\"";
    line += proto;
    line += "\",\"name\":";
    schema::append_json_string(line, name->view());
    line += ",\"verdict\":\"";
    line += to_string(verdict.decision);
    line += "\",\"list\":";
    if (verdict.decision == filters::Decision::Pass) {
      line += "null";
    } else {
      schema::append_json_string(line, snapshot.list_name(verdict.rule.list));
    }
    if (extraction.reassembled) line.append(",\"packets\":").append(std::to_string(extraction.packets));
    filters::Wrapper wrappers[filters::DecodeOptions::kMaxLayersLimit];
    const std::size_t wrapper_count = extraction.packet.wrappers(
        bytes, wrappers, filters::DecodeOptions::kMaxLayersLimit);
    if (wrapper_count != 0) {
      ++summary.wrapped[std::string(to_string(wrappers[0].kind))];
      line += ",\"wrappers\":[";
      for (std::size_t i = 0; i < wrapper_count; ++i) {
        if (i != 0) line += ',';
        line += "{\"";
        line += to_string(wrappers[i].kind);
        line += "\":";
        line += wrappers[i].has_id ? std::to_string(wrappers[i].id) : "null";
        line += '}';
      }
      line += ']';
    }
    line += "}\n";
    out.maybe_flush();
  }
  out.flush();
  summary.flows = flows.counters();
  summary.print(capture, read_error.empty() ? nullptr : read_error.c_str());
  return kExitOk;
}

}  // namespace takedown::control
