// list_answer(): a list's `response` as the bytes the snapshot keeps for its answers
// (filters::ListReply): the SOA of its negative DNS answers in wire form, its Extended DNS Error
// and text, and its whole HTTP block page.
//
// The SOA is <owner> <negative_ttl> IN SOA <mname> <rname> <serial> 3600 600 86400
// <negative_ttl>; the serial is the snapshot's (its compile time), so a resolver's cache tells
// which snapshot answered. The text is the operator's, or "blocked by <list>". The page is a 403
// (or, with `redirect`, a 302 to it) with `Connection: close` and a short HTML body naming the
// list and the text, every byte of them HTML-escaped.
//
// Cold path (compile time); allocates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "control/schema/config.hpp"
#include "filters/common/result.hpp"
#include "filters/match/policy.hpp"

namespace takedown::control {

struct ListAnswer {
  std::string soa_owner;  // wire form; empty: the query name itself
  std::string soa_rdata;  // wire form
  std::uint32_t negative_ttl = 300;
  filters::EdeCode ede = filters::EdeCode::Blocked;
  std::string ede_text;
  std::string http_page;
};

// Fails, naming the list, when its page would not fit one segment (ListReply::kMaxHttpPage).
Result<ListAnswer> list_answer(std::string_view list_name, const schema::ResponseConfig& response,
                               std::uint32_t serial);

// A normalised name ("a.b", "." or "" for the root) in uncompressed wire form.
std::string wire_name(std::string_view name);

// The HTTP response of a block page (see above).
std::string block_page(std::string_view list_name, std::string_view text,
                       std::string_view redirect);

}  // namespace takedown::control
