#include "control/sources/zone_records.hpp"

#include <ldns/ldns.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

namespace takedown::control {
namespace {

struct FreeText {
  void operator()(char* p) const { std::free(p); }
};

std::string text_of(const ldns_rr* rr) {
  std::unique_ptr<char, FreeText> s(ldns_rr2str(rr));
  std::string out = s ? std::string(s.get()) : std::string();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Owner, class, type and RDATA in canonical (lowercase) form, with the TTL set to 0.
std::string key_of(const ldns_rr* rr) {
  std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)> copy(ldns_rr_clone(rr), ldns_rr_free);
  ldns_rr_set_ttl(copy.get(), 0);
  ldns_rr2canonical(copy.get());
  return text_of(copy.get());
}

}  // namespace

bool serial_newer(std::uint32_t a, std::uint32_t b) {
  return a != b && static_cast<std::uint32_t>(a - b) < 0x80000000u;
}

SoaTimers ZoneRecords::timers_of(const ldns_rr* soa) {
  SoaTimers t;
  if (ldns_rr_rd_count(soa) < 7) return t;
  t.serial = ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
  t.refresh = ldns_rdf2native_int32(ldns_rr_rdf(soa, 3));
  t.retry = ldns_rdf2native_int32(ldns_rr_rdf(soa, 4));
  t.expire = ldns_rdf2native_int32(ldns_rr_rdf(soa, 5));
  t.minimum = ldns_rdf2native_int32(ldns_rr_rdf(soa, 6));
  return t;
}

void ZoneRecords::add(const ldns_rr* rr) {
  if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
    soa_line_ = text_of(rr);
    soa_ = timers_of(rr);
    return;
  }
  records_.emplace(key_of(rr), text_of(rr));
}

bool ZoneRecords::remove(const ldns_rr* rr) {
  if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) return true;  // replaced by the diff's new SOA
  return records_.erase(key_of(rr)) == 1;
}

void ZoneRecords::clear() {
  records_.clear();
  soa_line_.clear();
  soa_ = {};
}

std::string ZoneRecords::zone_file() const {
  std::string out = "; zone " + zone_ + ", serial " + std::to_string(soa_.serial) +
                    ", transferred by takedownctl\n$ORIGIN " + zone_ + ".\n" + soa_line_ + "\n";
  for (const auto& [key, line] : records_) out += line + "\n";
  return out;
}

Result<ZoneRecords> ZoneRecords::read_copy(const std::string& path, const std::string& zone) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open the zone copy: " + std::strerror(errno));
  ZoneRecords out(zone);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == ';' || line[0] == '$') continue;
    ldns_rr* rr = nullptr;
    if (ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
      return make_error(path + ":" + std::to_string(number) +
                        ": not a record of a zone copy (remove the copy for a full transfer)");
    }
    out.add(rr);
    ldns_rr_free(rr);
  }
  if (!out.has_soa()) return make_error(path + ": the zone copy has no SOA");
  return out;
}

}  // namespace takedown::control
