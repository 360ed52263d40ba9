#include "control/sources/transfer_exchange.hpp"

#include <cstdlib>
#include <cstring>

#include "control/sources/ldns_handles.hpp"
#include "control/sources/tsig_secret.hpp"
#include "control/sources/tsig_verify.hpp"

namespace takedown::control {
namespace {

using Pkt = LdnsPkt;
using Rdf = LdnsRdf;

std::string rcode_text(ldns_pkt_rcode rcode) {
  const ldns_lookup_table* t = ldns_lookup_by_id(ldns_rcodes, static_cast<int>(rcode));
  return t != nullptr ? t->name : "RCODE " + std::to_string(rcode);
}

// RFC 8945 TSIG error codes in the primary's TSIG record.
std::string tsig_error_text(const ldns_pkt* pkt) {
  const ldns_rr* tsig = ldns_pkt_tsig(pkt);
  if (tsig == nullptr || ldns_rr_rd_count(tsig) < 6) return {};
  const std::uint16_t code = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
  switch (code) {
    case 0:
      return {};
    case 16:
      return "TSIG BADSIG: the key's secret differs from the primary's";
    case 17:
      return "TSIG BADKEY: the primary has no key of that name and algorithm";
    case 18:
      return "TSIG BADTIME: the clocks differ by more than the fudge";
    case 22:
      return "TSIG BADTRUNC";
    default:
      return "TSIG error " + std::to_string(code);
  }
}

// Reads the answer RRs of a transfer as a stream and tells when it is complete (RFC 1995 §4,
// RFC 5936 §2.2). Applies a full zone to `fresh` and diffs to `edited`, a copy of the zone held.
class TransferStream {
 public:
  TransferStream(bool incremental, const ZoneRecords& held)
      : incremental_(incremental),
        held_serial_(held.soa().serial),
        zone_name_(ldns_dname_new_frm_str((held.zone() + ".").c_str())),
        fresh_(held.zone()),
        edited_(held) {}

  // False with `error` when the stream cannot be a transfer of this zone.
  bool record(const ldns_rr* rr, std::string& error) {
    if (!fits_the_zone(rr, error)) return false;
    const bool soa = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA;
    const std::uint32_t serial = soa ? ZoneRecords::timers_of(rr).serial : 0;
    switch (phase_) {
      case Phase::First:
        if (!soa) {
          error = "the transfer does not start with the zone's SOA";
          return false;
        }
        final_serial_ = serial;
        fresh_.add(rr);
        phase_ = Phase::Second;
        return true;
      case Phase::Second:
        if (soa && incremental_ && serial != final_serial_) {
          if (serial != held_serial_) {
            out_of_step_ = true;
            error = "the IXFR starts from serial " + std::to_string(serial) + ", the copy is at " +
                    std::to_string(held_serial_);
            return false;
          }
          full_ = false;
          phase_ = Phase::Deleting;
          return true;
        }
        full_ = true;
        phase_ = Phase::FullBody;
        [[fallthrough]];  // SOA, SOA is an empty zone
      case Phase::FullBody:
        if (soa) {
          if (serial != final_serial_) {
            error = "the transfer ends with serial " + std::to_string(serial) + ", not " +
                    std::to_string(final_serial_) + " as it began";
            return false;
          }
          phase_ = Phase::Done;
          return true;
        }
        fresh_.add(rr);
        return true;
      case Phase::Deleting:
        if (soa) {
          edited_.add(rr);
          diff_serial_ = serial;
          phase_ = Phase::Adding;
          return true;
        }
        if (!edited_.remove(rr)) {
          out_of_step_ = true;
          error = "the IXFR deletes a record the copy does not hold";
          return false;
        }
        ++removed_;
        return true;
      case Phase::Adding:
        if (soa) {
          if (serial == final_serial_) {
            if (diff_serial_ != final_serial_) {
              out_of_step_ = true;
              error = "the IXFR's diffs stop at serial " + std::to_string(diff_serial_) +
                      ", short of " + std::to_string(final_serial_);
              return false;
            }
            phase_ = Phase::Done;
            return true;
          }
          if (serial != diff_serial_) {
            out_of_step_ = true;
            error = "the IXFR's diffs are not in sequence";
            return false;
          }
          phase_ = Phase::Deleting;
          return true;
        }
        edited_.add(rr);
        ++added_;
        return true;
      case Phase::Done:
        error = "records after the transfer's final SOA";
        return false;
    }
    return false;
  }

  // A record of this zone that its copy, a zone file, can hold as it came: class IN, an owner at
  // or below the zone's name and not read as a $ directive, an SOA only at the apex with its
  // seven fields, and a presentation form that reads back as the same record (what the copy
  // holds is what the primary sent).
  bool fits_the_zone(const ldns_rr* rr, std::string& error) const {
    std::unique_ptr<char, decltype(&std::free)> owner_text(ldns_rdf2str(ldns_rr_owner(rr)),
                                                           std::free);
    const std::string owner = owner_text ? owner_text.get() : "?";
    if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
      error = "a record of " + owner + " in class " + std::to_string(ldns_rr_get_class(rr)) +
              " (a policy zone is class IN)";
      return false;
    }
    if (ldns_dname_compare(ldns_rr_owner(rr), zone_name_.get()) != 0 &&
        !ldns_dname_is_subdomain(ldns_rr_owner(rr), zone_name_.get())) {
      error = "a record outside the zone: " + owner;
      return false;
    }
    if (owner.front() == '$') {
      error = "an owner a zone file would read as a directive: " + owner;
      return false;
    }
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
        (ldns_rr_rd_count(rr) != 7 ||
         ldns_dname_compare(ldns_rr_owner(rr), zone_name_.get()) != 0)) {
      error = "an SOA that is not the zone's (" + owner + ", " +
              std::to_string(ldns_rr_rd_count(rr)) + " fields)";
      return false;
    }
    std::unique_ptr<char, decltype(&std::free)> text(ldns_rr2str(rr), std::free);
    const std::size_t length = text ? std::strlen(text.get()) : 0;
    bool same = length > 1 && std::strchr(text.get(), '\n') == text.get() + length - 1;
    // Reading back costs ~10 us: the records policy zones are made of, printed without escapes,
    // are known to read back, and are most of a 66k zone.
    const ldns_rr_type type = ldns_rr_get_type(rr);
    const bool plain =
        same &&
        (type == LDNS_RR_TYPE_CNAME || type == LDNS_RR_TYPE_A || type == LDNS_RR_TYPE_AAAA ||
         type == LDNS_RR_TYPE_NS || type == LDNS_RR_TYPE_SOA) &&
        std::strchr(text.get(), '\\') == nullptr;
    if (same && !plain) {
      ldns_rr* back = nullptr;
      same = ldns_rr_new_frm_str(&back, text.get(), 0, nullptr, nullptr) == LDNS_STATUS_OK &&
             ldns_rr_compare(rr, back) == 0;
      ldns_rr_free(back);
    }
    if (!same) {
      error = "a record of " + owner + " whose zone-file form does not read back as the record";
      return false;
    }
    return true;
  }

  bool done() const { return phase_ == Phase::Done; }
  // After the first message: one SOA at or before the copy's serial means up to date.
  bool up_to_date(std::size_t records_in_first_message, bool have_copy) const {
    return incremental_ && have_copy && phase_ == Phase::Second && records_in_first_message == 1 &&
           !serial_newer(final_serial_, held_serial_);
  }
  bool full() const { return full_; }
  bool out_of_step() const { return out_of_step_; }
  std::uint64_t added() const { return full_ ? fresh_.size() : added_; }
  std::uint64_t removed() const { return removed_; }
  ZoneRecords& result() { return full_ ? fresh_ : edited_; }

 private:
  enum class Phase { First, Second, FullBody, Deleting, Adding, Done };
  bool incremental_;
  std::uint32_t held_serial_;
  Phase phase_ = Phase::First;
  std::uint32_t final_serial_ = 0;
  std::uint32_t diff_serial_ = 0;
  bool full_ = false;
  bool out_of_step_ = false;
  std::uint64_t added_ = 0;
  std::uint64_t removed_ = 0;
  Rdf zone_name_;
  ZoneRecords fresh_;
  ZoneRecords edited_;
};

}  // namespace

struct TransferExchange::State {
  State(bool incremental, const ZoneRecords& held) : stream(incremental, held) {}
  Pkt query;
  Rdf mac;  // of the query, then of the last signed message
  TransferStream stream;
};

TransferExchange::TransferExchange(const schema::TransferSource& source, const std::string& secret,
                                   const ZoneRecords& held, bool incremental)
    : source_(source),
      secret_(secret),
      incremental_(incremental),
      have_copy_(held.has_soa()),
      state_(std::make_unique<State>(incremental, held)) {
  Rdf name(ldns_dname_new_frm_str((source.zone + ".").c_str()));
  if (!name) {
    error_ = "the zone name does not parse";
    return;
  }
  if (incremental) {
    ldns_rr* soa = nullptr;
    if (ldns_rr_new_frm_str(&soa, held.soa_line().c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
      error_ = "the copy's SOA does not parse";
      return;
    }
    state_->query.reset(
        ldns_pkt_ixfr_request_new(ldns_rdf_clone(name.get()), LDNS_RR_CLASS_IN, 0, soa));
  } else {
    state_->query.reset(
        ldns_pkt_query_new(ldns_rdf_clone(name.get()), LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0));
  }
  ldns_pkt* q = state_->query.get();
  if (q == nullptr) {
    error_ = "cannot build the query";
    return;
  }
  ldns_pkt_set_random_id(q);
  if (source.signed_with_tsig) {
    const std::string key = source.tsig.name + ".";
    if (ldns_pkt_tsig_sign(q, key.c_str(), secret.c_str(), 300,
                           tsig_algorithm_name(source.tsig.algorithm).c_str(),
                           nullptr) != LDNS_STATUS_OK ||
        ldns_pkt_tsig(q) == nullptr) {
      error_ = "cannot sign the query with TSIG key " + source.tsig.name;
      return;
    }
    state_->mac.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(q), 3)));
  }
  query_ = wire_of(q);
  if (query_.empty()) error_ = "cannot encode the query";
}

TransferExchange::~TransferExchange() = default;

std::uint16_t TransferExchange::query_id() const {
  return state_->query ? ldns_pkt_id(state_->query.get()) : 0;
}

TransferExchange::Step TransferExchange::fail(std::string why) {
  error_ = std::move(why);
  return Step::Failed;
}

TransferExchange::Step TransferExchange::take(const std::uint8_t* message, std::size_t size) {
  if (query_.empty()) return fail(error_.empty() ? "no query was built" : error_);
  wire_bytes_ += size + 2;
  ++messages_;
  const std::string nth = "message " + std::to_string(messages_);
  if (wire_bytes_ > source_.max_bytes) {
    return fail("more than transfer.max_size (" + std::to_string(source_.max_bytes) +
                " bytes of DNS messages)");
  }
  if (size >= 12 && !additional_records_fit(message, size))
    return fail(nth + " has more than two additional records (an OPT and a TSIG at most)");
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, message, size) != LDNS_STATUS_OK)
    return fail(nth + " is not a DNS message");
  Pkt reply(raw);
  if (ldns_pkt_id(reply.get()) != query_id() || !ldns_pkt_qr(reply.get()))
    return fail(nth + " is not a reply to the query");
  const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply.get());
  if (rcode != LDNS_RCODE_NOERROR) {
    const std::string tsig_error = tsig_error_text(reply.get());
    retry_with_axfr_ = incremental_ && (rcode == LDNS_RCODE_NOTIMPL || rcode == LDNS_RCODE_FORMERR);
    return fail("the primary answered " + rcode_text(rcode) +
                (tsig_error.empty() ? "" : " (" + tsig_error + ")"));
  }
  if (source_.signed_with_tsig) {
    const TsigCheck check = verify_tsig(reply.get(), message, size, source_.tsig, secret_,
                                        state_->mac.get(), messages_ > 1, false);
    if (check != TsigCheck::Verified)
      return fail(nth + ": " + describe(check, source_.tsig) + " (every message must be signed)");
    state_->mac.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(reply.get()), 3)));
  }
  const ldns_rr_list* answer = ldns_pkt_answer(reply.get());
  const std::size_t count = answer == nullptr ? 0 : ldns_rr_list_rr_count(answer);
  TransferStream& stream = state_->stream;
  for (std::size_t i = 0; i < count; ++i) {
    std::string why;
    if (!stream.record(ldns_rr_list_rr(answer, i), why)) {
      retry_with_axfr_ = incremental_ && stream.out_of_step();
      return fail(why);
    }
  }
  if (messages_ == 1 && stream.up_to_date(count, have_copy_)) return Step::UpToDate;
  return stream.done() ? Step::Done : Step::More;
}

bool TransferExchange::full() const { return state_->stream.full(); }
std::uint64_t TransferExchange::added() const { return state_->stream.added(); }
std::uint64_t TransferExchange::removed() const { return state_->stream.removed(); }
ZoneRecords& TransferExchange::result() { return state_->stream.result(); }

}  // namespace takedown::control
