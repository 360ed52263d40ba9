#include "control/sources/url_fetcher.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace takedown::control {
namespace {

struct Receiver {
  std::string body;
  std::string etag;
  std::string last_modified;
  std::uint64_t max_bytes = 0;
  bool too_big = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* r = static_cast<Receiver*>(user);
  const std::size_t n = size * count;
  if (r->body.size() + n > r->max_bytes) {
    r->too_big = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  r->body.append(data, n);
  return n;
}

// Keeps ETag and Last-Modified of the final response (a redirect's headers are replaced).
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* r = static_cast<Receiver*>(user);
  const std::size_t n = size * count;
  std::string line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    r->etag.clear();
    r->last_modified.clear();
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string::npos) return n;
  std::string key = line.substr(0, colon);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::size_t start = colon + 1;
  while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
  const std::string value = line.substr(start);
  if (value.size() > 1024) return n;  // no validator worth keeping is that long
  if (key == "etag") r->etag = value;
  if (key == "last-modified") r->last_modified = value;
  return n;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

UrlFetch fetch_url(const schema::UrlSource& source, const std::string& etag,
                   const std::string& last_modified) {
  global_init();
  UrlFetch out;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    out.error = source.url + ": libcurl could not start a transfer";
    return out;
  }
  Receiver r;
  r.max_bytes = source.max_bytes;
  char error[CURL_ERROR_SIZE] = {};
  struct curl_slist* headers = nullptr;
  if (!etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + etag).c_str());
  if (!last_modified.empty())
    headers = curl_slist_append(headers, ("If-Modified-Since: " + last_modified).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          curl_slist_free_all);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, source.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // An https list is never redirected to plain http, where anyone on the path could change it.
  const bool https = source.url.rfind("https://", 0) == 0;
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(source.connect_timeout_seconds));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(source.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(source.max_bytes));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip and deflate, decoded by libcurl
  curl_easy_setopt(c, CURLOPT_USERAGENT, "takedownctl/0.1 (list fetch)");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!source.ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, source.ca.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.http_status);
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &out.seconds);
  curl_off_t header_bytes = 0;
  curl_off_t body_bytes = 0;
  curl_easy_getinfo(c, CURLINFO_HEADER_SIZE, &header_bytes);
  curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &body_bytes);
  out.wire_bytes = static_cast<std::uint64_t>(header_bytes + body_bytes);
  if (r.too_big || code == CURLE_FILESIZE_EXCEEDED) {
    out.error = source.url + ": the list is larger than max_size (" +
                std::to_string(source.max_bytes) + " bytes)";
    return out;
  }
  if (code != CURLE_OK) {
    out.error = source.url + ": " + (error[0] != 0 ? std::string(error) : curl_easy_strerror(code));
    return out;
  }
  if (out.http_status == 304) {
    out.outcome = UrlFetch::Outcome::NotModified;
    out.etag = etag;
    out.last_modified = last_modified;
    return out;
  }
  if (out.http_status != 200) {
    out.error = source.url + ": HTTP status " + std::to_string(out.http_status) +
                " (expected 200, or 304 when unchanged)";
    return out;
  }
  out.outcome = UrlFetch::Outcome::Fresh;
  out.body = std::move(r.body);
  out.etag = std::move(r.etag);
  out.last_modified = std::move(r.last_modified);
  return out;
}

}  // namespace takedown::control
