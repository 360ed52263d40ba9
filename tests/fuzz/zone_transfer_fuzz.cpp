// libFuzzer target: a primary's answer to a zone transfer (control/sources/transfer_exchange.hpp),
// as any sequence of messages. The first byte picks AXFR or IXFR (from a held copy at serial 7)
// and whether the list has a TSIG key; the rest is frames of a 2-byte length and a message, each
// given the query's id so that the records are read. Whatever the messages, the exchange ends in
// a step, and a zone it completes can be written as a copy and read back with the same records.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "control/lists/list_loader.hpp"
#include "control/sources/transfer_exchange.hpp"
// After the standard headers: ldns defines true and false as macros when it thinks C has none.
#include <ldns/ldns.h>

namespace {

using namespace takedown;

const control::ZoneRecords& held_zone() {
  static const control::ZoneRecords zone = [] {
    control::ZoneRecords z("rpz.test");
    for (const char* line :
         {"rpz.test. 300 IN SOA ns.rpz.test. host.rpz.test. 7 3600 600 86400 300",
          "bad.example.rpz.test. 300 IN CNAME .", "*.bad.example.rpz.test. 300 IN CNAME *."}) {
      ldns_rr* rr = nullptr;
      if (ldns_rr_new_frm_str(&rr, line, 0, nullptr, nullptr) == LDNS_STATUS_OK) z.add(rr);
      ldns_rr_free(rr);
    }
    return z;
  }();
  return zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  schema::TransferSource source;
  source.primary = "127.0.0.1";
  source.zone = "rpz.test";
  source.signed_with_tsig = (data[0] & 2) != 0;
  source.tsig.name = "xfr-key";
  static const std::string secret = "iRVVnxf8LAFR5KHt/kcGoY/BBo8q3KKOGag4CqNEdZY=";
  const bool incremental = (data[0] & 1) != 0;
  control::TransferExchange exchange(source, secret, held_zone(), incremental);
  if (exchange.query().empty()) __builtin_trap();
  const std::uint16_t id = exchange.query_id();
  std::size_t at = 1;
  control::TransferExchange::Step step = control::TransferExchange::Step::More;
  std::string message;
  while (at + 2 <= size && step == control::TransferExchange::Step::More) {
    const std::size_t length = std::min<std::size_t>(size - at - 2, data[at] << 8 | data[at + 1]);
    message.assign(reinterpret_cast<const char*>(data + at + 2), length);
    at += 2 + length;
    if (message.size() >= 2) {
      message[0] = static_cast<char>(id >> 8);
      message[1] = static_cast<char>(id);
    }
    step = exchange.take(reinterpret_cast<const std::uint8_t*>(message.data()), message.size());
    if (step == control::TransferExchange::Step::Failed && exchange.error().empty())
      __builtin_trap();
  }
  if (step == control::TransferExchange::Step::Done) {
    const control::ZoneRecords& zone = exchange.result();
    char path[] = "/tmp/zone-transfer-fuzz-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) return 0;
    const std::string text = zone.zone_file();
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      __builtin_trap();
    ::close(fd);
    auto again = control::ZoneRecords::read_copy(path, "rpz.test");
    // The copy goes through the rpz parser, as takedownctl refuses or compiles it.
    control::ParsedList parsed;
    control::parse_list_bytes(schema::ListFormat::Rpz, text, parsed);
    ::unlink(path);
    // A copy always reads back, unless the zone came without an SOA line ldns prints and reads.
    if (again && (again->size() != zone.size() || again->soa().serial != zone.soa().serial))
      __builtin_trap();
  }
  return 0;
}
