#include "control/compile/list_answer.hpp"

#include "filters/common/utf8.hpp"

namespace takedown::control {
namespace {

void append_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::string html_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// The default text cut to ListReply::kMaxEdeText bytes, before a UTF-8 continuation byte.
std::string shortened(std::string text) {
  text.resize(filters::utf8_fit(text, filters::ListReply::kMaxEdeText));
  return text;
}

}  // namespace

std::string wire_name(std::string_view name) {
  std::string out;
  while (!name.empty() && name != ".") {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    out.push_back(static_cast<char>(label.size()));
    out.append(label);
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  out.push_back('\0');
  return out;
}

std::string block_page(std::string_view list_name, std::string_view text,
                       std::string_view redirect) {
  const std::string list = html_escaped(list_name);
  std::string body =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Blocked: " + list +
      "</title></head>\n<body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\">\n"
      "<h1>This site is blocked</h1>\n<p>The address you asked for is on the list <b>" +
      list + "</b> of this network.</p>\n<p>" + html_escaped(text) + "</p>\n";
  if (!redirect.empty()) {
    const std::string to = html_escaped(redirect);
    body += "<p><a href=\"" + to + "\">" + to + "</a></p>\n";
  }
  body += "</body></html>\n";
  std::string head = redirect.empty() ? "HTTP/1.1 403 Forbidden\r\n" : "HTTP/1.1 302 Found\r\n";
  if (!redirect.empty()) head += "Location: " + std::string(redirect) + "\r\n";
  head += "Content-Type: text/html; charset=utf-8\r\nContent-Length: " +
          std::to_string(body.size()) +
          "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
  return head + body;
}

Result<ListAnswer> list_answer(std::string_view list_name, const schema::ResponseConfig& response,
                               std::uint32_t serial) {
  ListAnswer out;
  out.negative_ttl = response.negative_ttl;
  if (!response.soa_owner.empty()) out.soa_owner = wire_name(response.soa_owner);
  out.soa_rdata = wire_name(response.soa_mname) + wire_name(response.soa_rname);
  for (std::uint32_t value : {serial, 3600u, 600u, 86400u, response.negative_ttl})
    append_be32(out.soa_rdata, value);
  out.ede = response.ede;
  out.ede_text = response.text.empty() ? shortened("blocked by " + std::string(list_name))
                                       : response.text;
  out.http_page = block_page(list_name, out.ede_text, response.redirect);
  if (out.http_page.size() > filters::ListReply::kMaxHttpPage) {
    return make_error("list '" + std::string(list_name) + "': its block page would be " +
                      std::to_string(out.http_page.size()) + " bytes, and it must fit one " +
                      "segment (" + std::to_string(filters::ListReply::kMaxHttpPage) +
                      "): use a shorter list name, response.text or response.redirect");
  }
  return out;
}

}  // namespace takedown::control
