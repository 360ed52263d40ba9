// takedownctl inspect on captures written with libpcap from frames built byte by byte.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/support/compiled_snapshot.hpp"
#include "tests/support/frames.hpp"

namespace takedown::testing {
namespace {

using namespace frames;

void write_pcap(const std::string& path, const std::vector<Bytes>& packets) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  ASSERT_NE(dumper, nullptr) << pcap_geterr(dead);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(1700000000 + i);
    header.caplen = static_cast<bpf_u_int32>(packets[i].size());
    header.len = header.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, packets[i].data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
}

struct Output {
  int code;
  std::string out;
  std::string err;
};

Output inspect(const std::string& args, const TempDir& dir) {
  const std::string command = std::string(TAKEDOWN_BINARY_DIR) + "/takedownctl inspect " + args +
                              " 2>" + dir.file("stderr.txt");
  FILE* pipe = ::popen(command.c_str(), "r");
  Output result{-1, {}, {}};
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;)
    result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(dir.file("stderr.txt"));
  result.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  return result;
}

Bytes tcp_dns(const std::string& name) {
  const Bytes message = dns_query(name);
  Bytes segment;
  put16(segment, message.size());
  append(segment, message);
  return segment;
}

Bytes http_get(const std::string& host, const std::string& path) {
  const std::string text =
      "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: test\r\n\r\n";
  return Bytes(text.begin(), text.end());
}

TEST(Inspect, JudgesEveryNameAndSummarisesTheRest) {
  TempDir dir;
  const Bytes cut_hello = client_hello({sni("www.0-coinbase.com"), alpn(), ech()});
  write_pcap(
      dir.file("mixed.pcap"),
      {
          ethernet(0x0800) + ipv4(17, udp(40000, 53, dns_query("WWW.0-Bitcoin.com"))),  // 1 block
          ethernet(0x86DD, {{0x8100, 7}}) +
              ipv6(6, tcp(40001, 53, tcp_dns("google.com"))),  // 2 pass
          ethernet(0x0800) +
              ipv4(6, tcp(40002, 80, http_get("0-bitcoin.com:80", "/x"))),  // 3 block
          ethernet(0x0800) +
              ipv4(6, tcp(40003, 443, client_hello({sni("adsarp.com")}))),  // 4 allow
          ethernet(0x0800) +
              ipv4(6, tcp(40004, 443, Bytes(cut_hello.begin(), cut_hello.end() - 30))),  // 5
          ethernet(0x0800) +
              ipv4(17, udp(40005, 53,
                           Bytes{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 0})),  // bad label
          ethernet(0x0806) + Bytes(28, 0),                                              // ARP
          ethernet(0x0800) + ipv4(6, tcp(40006, 443, {}, 0, 0x02)),                     // SYN
          Bytes(10, 0xFF),                                                              // runt
      });
  const Output r =
      inspect("-c " + source_path("conf/demo.yaml") + " " + dir.file("mixed.pcap"), dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "{\"frame\":1,\"proto\":\"dns\",\"name\":\"www.0-bitcoin.com\",\"verdict\":\"block\","
      "\"list\":\"takedown-66k\"}\n"
      "{\"frame\":2,\"proto\":\"dns\",\"name\":\"google.com\",\"verdict\":\"pass\",\"list\":null}\n"
      "{\"frame\":3,\"proto\":\"http\",\"name\":\"0-bitcoin.com\",\"verdict\":\"block\",\"list\":"
      "\"takedown-66k\"}\n"
      "{\"frame\":4,\"proto\":\"tls\",\"name\":\"adsarp.com\",\"verdict\":\"allow\",\"list\":"
      "\"allowlist-regex\"}\n"
      "{\"frame\":5,\"proto\":\"tls\",\"name\":\"www.0-coinbase.com\",\"verdict\":\"block\","
      "\"list\":\"takedown-66k\"}\n");
  EXPECT_NE(r.err.find("9 frames read"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("names: dns 2 http 1 tls 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("malformed: 1 dns_bad_label_type=1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("truncated: 2 ethernet_short=1 tls_client_hello_short=1"), std::string::npos)
      << r.err;
}

TEST(Inspect, ConfiguredPortsDecideTheProtocol) {
  TempDir dir;
  dir.write("list.txt", "blocked.example\n");
  dir.write("c.yaml",
            "lists: [{name: l, format: domains, path: list.txt}]\n"
            "protocols: {dns_ports: [5353], http_ports: [8081], tls_ports: [8443]}\n");
  write_pcap(dir.file("ports.pcap"),
             {ethernet(0x0800) + ipv4(17, udp(1, 5353, dns_query("blocked.example"))),
              ethernet(0x0800) + ipv4(17, udp(1, 53, dns_query("blocked.example"))),
              ethernet(0x0800) + ipv4(6, tcp(1, 8081, http_get("blocked.example", "/"))),
              ethernet(0x0800) + ipv4(6, tcp(1, 8443, client_hello({sni("blocked.example")})))});
  const Output r = inspect("-c " + dir.file("c.yaml") + " " + dir.file("ports.pcap"), dir);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "{\"frame\":1,\"proto\":\"dns\",\"name\":\"blocked.example\",\"verdict\":\"block\","
            "\"list\":\"l\"}\n"
            "{\"frame\":3,\"proto\":\"http\",\"name\":\"blocked.example\",\"verdict\":\"block\","
            "\"list\":\"l\"}\n"
            "{\"frame\":4,\"proto\":\"tls\",\"name\":\"blocked.example\",\"verdict\":\"block\","
            "\"list\":\"l\"}\n");
}

TEST(Inspect, OnlyAnUnreadableFileIsAnError) {
  TempDir dir;
  const std::string config = "-c " + source_path("conf/demo.yaml") + " ";
  const Output missing = inspect(config + dir.file("none.pcap"), dir);
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("none.pcap: cannot read capture"), std::string::npos) << missing.err;
  dir.write("garbage.pcap", std::string(200, 'x'));
  EXPECT_EQ(inspect(config + dir.file("garbage.pcap"), dir).code, 1);

  write_pcap(dir.file("whole.pcap"),
             {ethernet(0x0800) + ipv4(17, udp(1, 53, dns_query("a.example"))),
              ethernet(0x0800) + ipv4(17, udp(1, 53, dns_query("b.example")))});
  std::ifstream in(dir.file("whole.pcap"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  dir.write("cut.pcap", bytes.substr(0, bytes.size() - 10));  // the last record is cut
  const Output cut = inspect(config + dir.file("cut.pcap"), dir);
  EXPECT_EQ(cut.code, 0);
  EXPECT_EQ(cut.out,
            "{\"frame\":1,\"proto\":\"dns\",\"name\":\"a.example\",\"verdict\":\"pass\",\"list\":"
            "null}\n");
  EXPECT_NE(cut.err.find("the capture ends early"), std::string::npos) << cut.err;
  EXPECT_EQ(inspect("", dir).code, 2);
}

}  // namespace
}  // namespace takedown::testing
