// ZoneRecords: a response policy zone as its resource records, the form a zone transfer gives and
// an IXFR edits. Records are keyed by owner, class, type and RDATA in canonical form (the TTL
// aside, as RFC 1995 deletions match), each kept as its presentation line.
//
// The copy in the state folder is the zone file these lines make ($ORIGIN, the SOA first, then
// the rest in key order), which the rpz list parser reads like any policy zone. Uses ldns for
// parsing and printing records. Cold path; a value type.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "filters/common/result.hpp"

typedef struct ldns_struct_rr ldns_rr;

namespace takedown::control {

struct SoaTimers {
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::uint32_t minimum = 0;
};

class ZoneRecords {
 public:
  explicit ZoneRecords(std::string zone = {}) : zone_(std::move(zone)) {}

  const std::string& zone() const { return zone_; }
  bool has_soa() const { return !soa_line_.empty(); }
  const std::string& soa_line() const { return soa_line_; }
  const SoaTimers& soa() const { return soa_; }
  std::size_t size() const { return records_.size(); }

  // The SOA replaces the one held; other records are added (a second copy of one is a no-op).
  void add(const ldns_rr* rr);
  // False when the record is not there (an IXFR out of step with this copy).
  bool remove(const ldns_rr* rr);
  void clear();
  // Keeps the SOA alone (a dropped, expired zone).
  void clear_records() { records_.clear(); }

  // The zone file text of the copy.
  std::string zone_file() const;
  // Reads a copy written by zone_file() (or any zone file of absolute owners).
  static Result<ZoneRecords> read_copy(const std::string& path, const std::string& zone);

  static SoaTimers timers_of(const ldns_rr* soa);

 private:
  std::string zone_;
  std::string soa_line_;
  SoaTimers soa_;
  std::map<std::string, std::string> records_;  // canonical key -> presentation line
};

// RFC 1982 serial arithmetic: a is newer than b.
bool serial_newer(std::uint32_t a, std::uint32_t b);

}  // namespace takedown::control
