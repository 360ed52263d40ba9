#include "control/compile/pattern_compiler.hpp"

#include <hs/hs.h>

#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace takedown::control {

std::string anchored_literal(std::string_view text) {
  std::string out = "^";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
        (byte >= '0' && byte <= '9')) {
      out += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out += escaped;
    }
  }
  return out;
}

Result<CompiledPatterns> compile_patterns(const std::vector<std::string>& expressions,
                                          bool caseless, unsigned id_base) {
  CompiledPatterns out;
  const unsigned flags =
      HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | (caseless ? HS_FLAG_CASELESS : 0);
  std::vector<std::size_t> alive;
  for (std::size_t i = 0; i < expressions.size(); ++i) {
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_expression_info(expressions[i].c_str(), flags, &info, &error) != HS_SUCCESS) {
      out.failures.push_back(
          {i, std::string("invalid regex: ") + (error ? error->message : "unknown error")});
      hs_free_compile_error(error);
      continue;
    }
    std::free(info);
    alive.push_back(i);
  }
  while (!alive.empty()) {
    std::vector<const char*> patterns;
    std::vector<unsigned> ids;
    std::vector<unsigned> pattern_flags(alive.size(), flags);
    for (std::size_t i : alive) {
      patterns.push_back(expressions[i].c_str());
      ids.push_back(id_base + static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* error = nullptr;
    const hs_error_t rc = hs_compile_multi(patterns.data(), pattern_flags.data(), ids.data(),
                                           static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK,
                                           nullptr, &db, &error);
    if (rc == HS_SUCCESS) {
      char* bytes = nullptr;
      std::size_t length = 0;
      const hs_error_t ser = hs_serialize_database(db, &bytes, &length);
      hs_free_database(db);
      if (ser != HS_SUCCESS)
        return make_error("cannot serialise the Hyperscan database: error " + std::to_string(ser));
      out.database.assign(bytes, bytes + length);
      std::free(bytes);
      return out;
    }
    const int bad = error ? error->expression : -1;
    const std::string message = error ? error->message : "unknown error";
    hs_free_compile_error(error);
    if (bad < 0 || static_cast<std::size_t>(bad) >= alive.size()) {
      return make_error("Hyperscan cannot compile the patterns together: " + message);
    }
    out.failures.push_back(
        {alive[static_cast<std::size_t>(bad)], "regex does not compile: " + message});
    alive.erase(alive.begin() + bad);
  }
  return out;
}

}  // namespace takedown::control
