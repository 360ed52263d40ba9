// Realistic workloads for the benches: the real lists, a 90/10 benign/blocked name mix with the
// subdomain prefixes real traffic carries, and synthetic domain lists of any size. Deterministic
// (fixed seeds), so every run measures the same names.
#pragma once

#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace takedown::bench {

inline std::string source_path(const std::string& relative) {
  return std::string(TAKEDOWN_SOURCE_DIR) + "/" + relative;
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// 90% benign (top-50k) and 10% blocked names, most with a prefix such as www., api., cdn-12.
inline std::vector<std::string> name_mix(const std::vector<std::string>& blocked, std::size_t count,
                                         std::uint64_t seed = 1) {
  static const std::vector<std::string> benign = read_lines(source_path("tests/data/top-50k.txt"));
  static const char* kPrefixes[] = {"",        "www.",  "api.",   "cdn-12.",    "mail.", "m.",
                                    "static.", "img3.", "login.", "edge-7.eu.", "",      "www."};
  std::mt19937_64 rng(seed);
  std::vector<std::string> names;
  names.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const bool block = rng() % 10 == 0;
    const std::string& base =
        block ? blocked[rng() % blocked.size()] : benign[rng() % benign.size()];
    names.push_back(kPrefixes[rng() % std::size(kPrefixes)] + base);
  }
  return names;
}

// `count` distinct synthetic registrable domains (and some subdomains) with real-world TLDs.
inline std::vector<std::string> synthetic_domains(std::size_t count, std::uint64_t seed = 99) {
  static const char* kTlds[] = {"com",  "net",   "org",    "xyz", "top", "shop",  "info", "online",
                                "site", "co.uk", "com.br", "ru",  "de",  "store", "live", "click"};
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string name;
    if (rng() % 5 == 0) name += "sub" + std::to_string(rng() % 100) + ".";
    const int length = 6 + static_cast<int>(rng() % 12);
    for (int c = 0; c < length; ++c) name += kChars[rng() % 36];
    name += std::to_string(i % 1000);  // keeps them distinct enough; exact dups are dropped anyway
    name += ".";
    name += kTlds[rng() % std::size(kTlds)];
    out.push_back(std::move(name));
  }
  return out;
}

}  // namespace takedown::bench
