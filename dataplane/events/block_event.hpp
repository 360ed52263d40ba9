// BlockEvent: what a worker records about one block or log decision, for the event log.
//
// A fixed-size, trivially copyable record: the worker fills one in a slot of its EventRing
// (no allocation, no formatting, no syscall) and the main lcore turns it into a JSON line.
#pragma once

#include <cstdint>

namespace takedown::dataplane {

// What became of the frame: a DNS answer over UDP, a DNS answer in its TCP stream, the HTTP block
// page, a reset both ways, nothing sent, or forwarded (log decisions).
enum class EventOutcome : std::uint8_t { Answered, AnsweredTcp, Page, Reset, Dropped, Forwarded };

struct BlockEvent {
  static constexpr std::size_t kMaxName = 253;
  static constexpr std::size_t kMaxPath = 128;
  static constexpr std::size_t kMaxWrappers = 3;  // the outermost ones

  std::uint64_t tsc = 0;         // when the worker decided, in TSC cycles
  std::uint64_t generation = 0;  // of the snapshot that decided
  std::uint32_t rule_line = 0;
  std::uint16_t list = 0;
  std::uint16_t qtype = 0;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint16_t vlan[2] = {0, 0};
  std::uint8_t vlan_count = 0;
  std::uint8_t ip_version = 0;
  std::uint8_t l4_protocol = 0;
  std::uint8_t protocol = 0;  // filters::Protocol
  std::uint8_t decision = 0;  // filters::Decision: Block or Log
  EventOutcome outcome = EventOutcome::Forwarded;
  std::uint8_t response = 0;  // filters::DnsResponse for Answered/Dropped DNS
  std::uint16_t ede = 0;          // the answer's EDE INFO-CODE (Answered, AnsweredTcp)
  std::uint16_t http_status = 0;  // the block page's status (Page)
  std::uint8_t port = 0;      // ingress port index
  std::uint8_t wrapper_count = 0;
  std::uint8_t wrapper_kind[kMaxWrappers] = {};    // filters::WrapperKind
  std::uint8_t wrapper_has_id[kMaxWrappers] = {};
  std::uint32_t wrapper_id[kMaxWrappers] = {};     // PPPoE session, MPLS label, GRE key, VNI, TEID
  std::uint8_t name_length = 0;
  std::uint8_t path_length = 0;
  std::uint8_t src_ip[16] = {};
  std::uint8_t dst_ip[16] = {};
  char name[kMaxName] = {};
  char path[kMaxPath] = {};
};

}  // namespace takedown::dataplane
