// The DNS answer written over a copy of its query, for tests and fuzz targets to compare with
// write_dns_answer()'s answer written elsewhere: the two must be the same bytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "filters/respond/dns_answer.hpp"

namespace takedown::testing {

// The answer write_dns_answer_in_place() writes over a copy of `query` (which `x` was extracted
// from), given room for the largest answer after it; nullopt when answers_in_place() says the
// query cannot be answered in place. Bytes past the query are filled with 0xEE first, so an
// answer that left one unwritten would show it; the buffer ends where the room does, so under
// ASan a write past it stops the test. An empty answer means answers_in_place() also accepted
// one byte less of room, which it must not: the largest answer would not fit, or that the answer
// written with the list's DnsAnswerTails differs from the one written without.
inline std::optional<std::vector<std::uint8_t>> answer_in_place(
    std::span<const std::uint8_t> query, const filters::Extraction& x,
    const filters::Policy& policy, const filters::ListReply& reply) {
  std::vector<std::uint8_t> frame(
      std::max(query.size(), std::size_t{x.packet.payload_offset} + filters::kAnswerUdpSize), 0xEE);
  std::copy(query.begin(), query.end(), frame.begin());
  if (!filters::answers_in_place(x, frame.size())) return std::nullopt;
  if (filters::answers_in_place(x, std::size_t{x.packet.payload_offset} + filters::kAnswerUdpSize - 1))
    return std::vector<std::uint8_t>{};
  // Again with the list's precomputed records, as the worker writes it: the same bytes.
  std::vector<std::uint8_t> with_tails = frame;
  frame.resize(filters::write_dns_answer_in_place({frame.data(), query.size()}, x, policy, reply));
  const filters::DnsAnswerTails tails(reply);
  with_tails.resize(filters::write_dns_answer_in_place({with_tails.data(), query.size()}, x, policy,
                                                       reply, &tails));
  if (with_tails != frame) return std::vector<std::uint8_t>{};
  return frame;
}

}  // namespace takedown::testing
