// Runtime: what the workers share, read-only on the hot path, plus the stop flag.
//
// ActiveSnapshot bundles a verified snapshot with its matcher and generation. Workers load the
// `active` pointer once per burst; the main lcore owns the object (and, with hot reload, swaps
// it and frees the old one after an RCU grace period).
#pragma once

#include <rte_mempool.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "control/config/dataplane_config.hpp"
#include "dataplane/port/port_setup.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/match/matcher.hpp"
#include "filters/snapshot/snapshot.hpp"

namespace takedown::dataplane {

struct ActiveSnapshot {
  explicit ActiveSnapshot(std::unique_ptr<filters::Snapshot> s, std::uint64_t gen)
      : snapshot(std::move(s)), matcher(*snapshot), generation(gen) {}
  std::unique_ptr<filters::Snapshot> snapshot;
  filters::Matcher matcher;
  std::uint64_t generation;
};

struct Runtime {
  std::vector<Port> ports;
  rte_mempool* pool = nullptr;
  filters::ExtractPorts extract_ports;
  control::MalformedPolicy malformed = control::MalformedPolicy::Forward;
  filters::ExtendedDnsError ede = filters::ExtendedDnsError::Blocked;
  std::atomic<const ActiveSnapshot*> active{nullptr};
  std::atomic<bool> stop{false};
};

}  // namespace takedown::dataplane
