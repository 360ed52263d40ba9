#include "control/sources/tsig_verify.hpp"

#include <cstdlib>
#include <ctime>

#include "control/sources/ldns_handles.hpp"
#include "control/sources/tsig_secret.hpp"

namespace takedown::control {

bool additional_records_fit(const std::uint8_t* wire, std::size_t size) {
  return size >= 12 && (static_cast<unsigned>(wire[10]) << 8 | wire[11]) <= 2;
}

TsigCheck verify_tsig(ldns_pkt* pkt, const std::uint8_t* wire, std::size_t size,
                      const schema::TsigKey& key, const std::string& secret, const ldns_rdf* mac,
                      bool next, bool check_time) {
  ldns_rr* tsig = ldns_pkt_tsig(pkt);
  if (tsig == nullptr) return TsigCheck::Unsigned;
  if (ldns_rr_rd_count(tsig) < 7) return TsigCheck::BadMac;
  const std::string key_name = key.name + ".";
  LdnsRdf name(ldns_dname_new_frm_str(key_name.c_str()));
  LdnsRdf algorithm(ldns_dname_new_frm_str(tsig_algorithm_name(key.algorithm).c_str()));
  if (!name || !algorithm || ldns_dname_compare(ldns_rr_owner(tsig), name.get()) != 0 ||
      ldns_dname_compare(ldns_rr_rdf(tsig, 0), algorithm.get()) != 0) {
    return TsigCheck::OtherKey;
  }
  const bool good =
      next ? ldns_pkt_tsig_verify_next(pkt, wire, size, key_name.c_str(), secret.c_str(), mac, 1)
           : ldns_pkt_tsig_verify(pkt, wire, size, key_name.c_str(), secret.c_str(), mac);
  if (ldns_pkt_tsig(pkt) == nullptr) ldns_pkt_set_tsig(pkt, tsig);  // ldns dropped it
  if (!good) return TsigCheck::BadMac;
  if (check_time) {
    const ldns_rdf* signed_at = ldns_rr_rdf(tsig, 1);
    const ldns_rdf* fudge = ldns_rr_rdf(tsig, 2);
    if (ldns_rdf_size(signed_at) != 6 || ldns_rdf_size(fudge) != 2) return TsigCheck::OutOfTime;
    std::uint64_t when = 0;
    for (std::size_t i = 0; i < 6; ++i) when = when << 8 | ldns_rdf_data(signed_at)[i];
    const std::int64_t skew =
        static_cast<std::int64_t>(std::time(nullptr)) - static_cast<std::int64_t>(when);
    if (std::llabs(skew) > ldns_rdf2native_int16(fudge)) return TsigCheck::OutOfTime;
  }
  return TsigCheck::Verified;
}

std::string describe(TsigCheck check, const schema::TsigKey& key) {
  switch (check) {
    case TsigCheck::Verified:
      return "signed with TSIG key " + key.name;
    case TsigCheck::Unsigned:
      return "not signed with TSIG key " + key.name;
    case TsigCheck::OtherKey:
      return "signed with another key or algorithm than TSIG key " + key.name + " (" +
             key.algorithm + ")";
    case TsigCheck::BadMac:
      return "its TSIG does not verify with key " + key.name;
    case TsigCheck::OutOfTime:
      return "its TSIG was signed outside the fudge of now (a replay, or clocks apart)";
  }
  return {};
}

}  // namespace takedown::control
