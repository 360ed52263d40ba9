// TransferExchange: the DNS side of one zone transfer, without the transport: the query (IXFR from
// the held copy's serial, or AXFR; TSIG-signed when the list has a key), then the primary's
// messages one at a time, each checked (a reply to this query, NOERROR, TSIG verified against the
// previous MAC) and its records read as a transfer stream (RFC 1995 §4, RFC 5936 §2.2): a full
// zone into a fresh ZoneRecords, diffs onto a copy of the held one. Messages are parsed by ldns.
// Split from the socket so that the tests and the fuzzer can feed it any message sequence.
// Cold path; one per attempt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "control/schema/config.hpp"
#include "control/sources/zone_records.hpp"

namespace takedown::control {

class TransferExchange {
 public:
  enum class Step { More, Done, UpToDate, Failed };

  TransferExchange(const schema::TransferSource& source, const std::string& secret,
                   const ZoneRecords& held, bool incremental);
  ~TransferExchange();
  TransferExchange(const TransferExchange&) = delete;
  TransferExchange& operator=(const TransferExchange&) = delete;

  // The query to send; empty when it could not be built (error() says why).
  const std::vector<std::uint8_t>& query() const { return query_; }
  std::uint16_t query_id() const;
  // One message of the primary's answer.
  Step take(const std::uint8_t* message, std::size_t size);

  const std::string& error() const { return error_; }
  // The primary does not do IXFR (NOTIMP, FORMERR), or the diffs do not fit the copy.
  bool retry_with_axfr() const { return retry_with_axfr_; }
  std::uint64_t messages() const { return messages_; }
  std::uint64_t wire_bytes() const { return wire_bytes_; }
  // After Done.
  bool full() const;
  std::uint64_t added() const;
  std::uint64_t removed() const;
  ZoneRecords& result();

 private:
  struct State;
  Step fail(std::string why);

  const schema::TransferSource& source_;
  const std::string& secret_;
  bool incremental_;
  bool have_copy_;
  std::vector<std::uint8_t> query_;
  std::string error_;
  bool retry_with_axfr_ = false;
  std::uint64_t messages_ = 0;
  std::uint64_t wire_bytes_ = 0;
  std::unique_ptr<State> state_;
};

}  // namespace takedown::control
