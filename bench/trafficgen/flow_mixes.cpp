// flow_mixes: writes the pipeline bench's traffic mixes that Python's standard library cannot
// build (QUIC Initials need AES-GCM) or that need flows, as classic pcap files.
//
//   zipf     DNS/UDP queries. 90% of the names are drawn by popularity, Zipf with s = 1 over the
//            ranks of the top-50k list (rank r with weight 1/r), each rank always with the same
//            subdomain prefix, so a popular name repeats exactly as it does in front of a
//            resolver; 10% come uniformly from the blocked list (a scam list is the long tail).
//   web      what a browser sends (the flows issue's web mix), per connection: a SYN, a
//            post-quantum ClientHello in two segments (1,216-byte key share), three 1,400-byte
//            data segments; per QUIC connection one client Initial; two DNS queries. 10% of the
//            names are blocked.
//   transit  what an ISP's transit link mostly carries, as shares of the frames: 62% data
//            segments of established TCP flows (1,400 bytes to 443 or 80, 8,192 flows), 29% QUIC
//            short-header packets (1,200 bytes, 8,192 flows), 4% DNS queries, 3% TCP handshake
//            frames (a SYN and a two-segment ClientHello each), 2% QUIC Initials. Packets with no
//            name should cost almost nothing here.
//   quic     QUIC connections on their own 5-tuples, each begun by its client Initial and then
//            carried by 1,200-byte short-header packets: 512 connections live at a time, and a
//            new one replaces a random live one at 1 frame in 128 (so ~1.8% Initials, under the
//            default decryption budget at this machine's rates; the rest short headers). What a
//            flow tracker does with a connection after its Initial shows here.
//
// Names as in the other mixes: top-50k and the 66k takedown list, with realistic prefixes. Flows
// differ by client address (10.0.0.0/8) and port. Deterministic for a seed.
//
// usage: flow_mixes zipf|web|transit|quic OUT.pcap [--frames N] [--seed S] [--blocked FILE]
//                   [--benign FILE] [--blocked-ratio F]
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "bench/support/name_mix.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/quic_builder.hpp"

namespace takedown::bench {
namespace {

namespace f = testing::frames;
namespace q = testing::quic;
using f::Bytes;
using f::operator+;

struct Options {
  std::string mix;
  std::string out;
  std::size_t frames = 50000;
  std::uint64_t seed = 20261203;
  std::string blocked = source_path("conf/lists/takedown-66k.txt");
  std::string benign = source_path("tests/data/top-50k.txt");
  double blocked_ratio = 0.10;
};

const char* const kPrefixes[] = {"",        "www.",  "api.",   "cdn-12.",    "mail.", "m.",
                                 "static.", "img3.", "login.", "edge-7.eu.", "",      "www."};

// The endpoints of one flow: a client in 10.0.0.0/8 and a server in 198.18.0.0/15.
struct Endpoints {
  std::uint32_t client;
  std::uint32_t server;
  std::uint16_t sport;
  std::uint16_t dport;
};

Bytes ipv4_frame(const Endpoints& e, std::uint8_t protocol, const Bytes& l4) {
  Bytes b = f::ethernet(0x0800);
  b.push_back(0x45);
  b.push_back(0);
  f::put16(b, 20 + l4.size());
  f::put16(b, 0x1234);
  f::put16(b, 0x4000);  // DF
  b.push_back(64);
  b.push_back(protocol);
  const std::size_t checksum_at = b.size();
  f::put16(b, 0);
  f::put32(b, e.client);
  f::put32(b, e.server);
  std::uint32_t sum = 0;
  for (std::size_t i = 14; i < 34; i += 2) sum += std::uint32_t{b[i]} << 8 | b[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  b[checksum_at] = static_cast<std::uint8_t>(~sum >> 8);
  b[checksum_at + 1] = static_cast<std::uint8_t>(~sum);
  return b + l4;
}

Bytes tcp(const Endpoints& e, std::uint32_t seq, std::uint8_t flags, const Bytes& payload) {
  return ipv4_frame(e, 6, f::tcp_segment(e.sport, e.dport, seq, flags, payload, 7000));
}

Bytes udp(const Endpoints& e, const Bytes& payload) {
  return ipv4_frame(e, 17, f::udp(e.sport, e.dport, payload));
}

class Generator {
 public:
  explicit Generator(const Options& o)
      : o_(o), rng_(o.seed), blocked_(read_lines(o.blocked)), benign_(read_lines(o.benign)) {
    if (blocked_.empty() || benign_.empty()) {
      std::cerr << "flow_mixes: empty name list: " << (blocked_.empty() ? o.blocked : o.benign)
                << "\n";
      std::exit(1);
    }
  }

  std::vector<Bytes> build() {
    if (o_.mix == "zipf") return zipf();
    if (o_.mix == "web") return web();
    if (o_.mix == "quic") return quic();
    return transit();
  }

  // Frames of each kind, and names drawn from the blocked list (one per DNS query, handshake or
  // Initial), for the summary.
  std::map<std::string, std::size_t> kinds;
  std::size_t blocked_names = 0;

 private:
  std::string name() {
    const bool block = uniform() < o_.blocked_ratio;
    blocked_names += block;
    const std::string& base = block ? blocked_[rng_() % blocked_.size()]
                                    : benign_[rng_() % benign_.size()];
    return kPrefixes[rng_() % std::size(kPrefixes)] + base;
  }
  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  Endpoints flow(std::uint16_t dport) {
    return {0x0A000000u | static_cast<std::uint32_t>(rng_() & 0xFFFFFF),
            0xC6120000u | static_cast<std::uint32_t>(rng_() & 0x1FFFF),
            static_cast<std::uint16_t>(1024 + rng_() % 64000), dport};
  }
  Bytes dns(const std::string& qname) {
    Endpoints e = flow(53);
    e.server = 0xC6120035u;  // one resolver
    kinds["dns"] += 1;
    return udp(e, f::dns_query(qname, rng_() % 2 ? 1 : 28, rng_() % 2 == 0));
  }
  Bytes hello(const std::string& sni) {
    return f::client_hello({f::grease(0x0A0A), f::key_share(), f::sni(sni), f::alpn()});
  }
  // SYN, then the ClientHello in two segments (the first 1,200 bytes, then the rest). Returns
  // the sequence number after the ClientHello.
  std::uint32_t handshake(std::vector<Bytes>& out, const Endpoints& e, std::uint32_t isn) {
    const Bytes h = hello(name());
    kinds["tcp-syn"] += 1;
    kinds["tls-hello-segment"] += 2;
    out.push_back(tcp(e, isn, 0x02, {}));
    out.push_back(tcp(e, isn + 1, 0x18, f::slice(h, 0, 1200)));
    out.push_back(tcp(e, isn + 1201, 0x18, f::slice(h, 1200, h.size())));
    return isn + 1 + static_cast<std::uint32_t>(h.size());
  }
  Bytes initial(const Endpoints& e) {
    q::Initial in;
    in.dcid.resize(8);
    for (auto& b : in.dcid) b = static_cast<std::uint8_t>(rng_());
    in.frames = q::crypto_frame(0, f::handshake_of(f::client_hello({f::sni(name()), f::alpn()})));
    kinds["quic-initial"] += 1;
    return udp(e, q::seal(in));
  }
  // A 1-RTT packet: short header (0x40 | key phase 0 | 4-byte packet number), an 8-byte DCID,
  // then what is, to anyone but the endpoints, random bytes.
  Bytes short_header(const Endpoints& e, std::size_t size) {
    Bytes p(size);
    for (auto& b : p) b = static_cast<std::uint8_t>(rng_());
    p[0] = static_cast<std::uint8_t>(0x43 | (p[0] & 0x18));
    kinds["quic-short"] += 1;
    return udp(e, p);
  }

  std::vector<Bytes> zipf() {
    // Inverse transform over the harmonic weights of the benign ranks.
    std::vector<double> cumulative(benign_.size());
    double total = 0;
    for (std::size_t r = 0; r < benign_.size(); ++r) cumulative[r] = total += 1.0 / double(r + 1);
    std::vector<Bytes> out;
    while (out.size() < o_.frames) {
      std::string qname;
      if (uniform() < o_.blocked_ratio) {
        blocked_names += 1;
        qname = kPrefixes[rng_() % std::size(kPrefixes)] + blocked_[rng_() % blocked_.size()];
      } else {
        const double u = uniform() * total;
        const std::size_t rank =
            std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
        const std::size_t r = std::min(rank, benign_.size() - 1);
        qname = kPrefixes[(r * 2654435761u) % std::size(kPrefixes)] + benign_[r];
      }
      out.push_back(dns(qname));
    }
    return out;
  }

  std::vector<Bytes> web() {
    std::vector<Bytes> out;
    const Bytes bulk(1400, 0x17);
    while (out.size() < o_.frames) {
      const Endpoints e = flow(443);
      const std::uint32_t data = handshake(out, e, static_cast<std::uint32_t>(rng_()));
      for (std::uint32_t d = 0; d < 3; ++d) out.push_back(tcp(e, data + 1400 * d, 0x18, bulk));
      kinds["tcp-data"] += 3;
      out.push_back(initial(flow(443)));
      out.push_back(dns(name()));
      out.push_back(dns(name()));
    }
    out.resize(o_.frames);
    return out;
  }

  std::vector<Bytes> transit() {
    // Established flows, each with its next sequence number.
    std::vector<std::pair<Endpoints, std::uint32_t>> tcp_flows, quic_flows;
    for (int i = 0; i < 8192; ++i) {
      tcp_flows.push_back({flow(rng_() % 5 == 0 ? 80 : 443), static_cast<std::uint32_t>(rng_())});
      quic_flows.push_back({flow(443), 0});
    }
    const Bytes bulk(1400, 0x17);
    std::vector<Bytes> out;
    while (out.size() < o_.frames) {
      const double pick = uniform();
      if (pick < 0.63) {
        auto& [e, seq] = tcp_flows[rng_() % tcp_flows.size()];
        out.push_back(tcp(e, seq, 0x10, bulk));
        kinds["tcp-data"] += 1;
        seq += 1400;
      } else if (pick < 0.93) {
        out.push_back(short_header(quic_flows[rng_() % quic_flows.size()].first, 1200));
      } else if (pick < 0.97) {
        out.push_back(dns(name()));
      } else if (pick < 0.98) {
        handshake(out, flow(443), static_cast<std::uint32_t>(rng_()));
      } else {
        out.push_back(initial(flow(443)));
      }
    }
    out.resize(o_.frames);
    return out;
  }

  std::vector<Bytes> quic() {
    std::vector<Endpoints> live;
    std::vector<Bytes> out;
    while (out.size() < o_.frames) {
      if (live.size() < 512 || rng_() % 128 == 0) {
        const Endpoints e = flow(443);
        out.push_back(initial(e));
        if (live.size() < 512) {
          live.push_back(e);
        } else {
          live[rng_() % live.size()] = e;
        }
      } else {
        out.push_back(short_header(live[rng_() % live.size()], 1200));
      }
    }
    out.resize(o_.frames);
    return out;
  }

  Options o_;
  std::mt19937_64 rng_;
  std::vector<std::string> blocked_;
  std::vector<std::string> benign_;
};

bool write_pcap(const std::string& path, const std::vector<Bytes>& frames) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return false;
  const std::uint32_t header[6] = {0xA1B2C3D4u, 0x00040002u, 0, 0, 65535, 1};  // LINKTYPE_ETHERNET
  bool ok = std::fwrite(header, sizeof header, 1, out) == 1;
  std::uint32_t usec = 0;
  for (const Bytes& frame : frames) {
    const auto size = static_cast<std::uint32_t>(frame.size());
    const std::uint32_t record[4] = {1764547200u + usec / 1000000, usec % 1000000, size, size};
    usec += 10;
    ok = ok && std::fwrite(record, sizeof record, 1, out) == 1 &&
         std::fwrite(frame.data(), frame.size(), 1, out) == 1;
  }
  return std::fclose(out) == 0 && ok;
}

int usage() {
  std::cerr << "usage: flow_mixes zipf|web|transit|quic OUT.pcap [--frames N] [--seed S] "
               "[--blocked FILE] [--benign FILE] [--blocked-ratio F]\n";
  return 2;
}

}  // namespace
}  // namespace takedown::bench

int main(int argc, char** argv) {
  using namespace takedown::bench;
  if (argc < 3) return usage();
  Options o;
  o.mix = argv[1];
  o.out = argv[2];
  if (o.mix != "zipf" && o.mix != "web" && o.mix != "transit" && o.mix != "quic") {
    std::cerr << "flow_mixes: unknown mix '" << o.mix << "' (expected zipf, web, transit or quic)\n";
    return 2;
  }
  for (int i = 3; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "flow_mixes: " << flag << " needs a value\n";
      return 2;
    }
    const std::string value = argv[i + 1];
    char* end = nullptr;
    if (flag == "--frames") {
      o.frames = std::strtoull(value.c_str(), &end, 10);
    } else if (flag == "--seed") {
      o.seed = std::strtoull(value.c_str(), &end, 10);
    } else if (flag == "--blocked-ratio") {
      o.blocked_ratio = std::strtod(value.c_str(), &end);
    } else if (flag == "--blocked") {
      o.blocked = value;
    } else if (flag == "--benign") {
      o.benign = value;
    } else {
      std::cerr << "flow_mixes: unknown option " << flag << "\n";
      return usage();
    }
    if (end != nullptr && (*end != '\0' || value.empty())) {
      std::cerr << "flow_mixes: " << flag << " takes a number, not '" << value << "'\n";
      return 2;
    }
  }
  if (o.frames == 0 || !(o.blocked_ratio >= 0.0 && o.blocked_ratio <= 1.0)) {
    std::cerr << "flow_mixes: need --frames >= 1 and --blocked-ratio in [0, 1]\n";
    return 2;
  }
  Generator generator(o);
  const auto frames = generator.build();
  if (!write_pcap(o.out, frames)) {
    std::cerr << "flow_mixes: cannot write " << o.out << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  // One JSON line for the bench scripts (kinds counted before the last frames were cut off).
  std::cout << "{\"frames\": " << frames.size() << ", \"blocked_names\": " << generator.blocked_names
            << ", \"kinds\": {";
  const char* comma = "";
  for (const auto& [kind, count] : generator.kinds) {
    std::cout << comma << '"' << kind << "\": " << count;
    comma = ", ";
  }
  std::cout << "}}\n";
  return 0;
}
