// compile_patterns(): turns regex or url rules into one serialised Hyperscan database.
//
// Each expression is checked on its own first (hs_expression_info) so a bad one is reported
// precisely; the survivors are compiled together with hs_compile_multi, dropping any expression
// the full compile still rejects and retrying. Pattern ids are the indices into `expressions`.
// Cold path; thread-safe (Hyperscan's compiler is).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::control {

struct PatternFailure {
  std::size_t index;
  std::string message;
};

struct CompiledPatterns {
  std::vector<std::uint8_t> database;  // empty when no expression compiled
  std::vector<PatternFailure> failures;
};

// `caseless` for regex rules; url rules compare the path case-sensitively.
// Pattern i gets Hyperscan id `id_base + i`.
Result<CompiledPatterns> compile_patterns(const std::vector<std::string>& expressions,
                                          bool caseless, unsigned id_base);

// A Hyperscan expression that matches `text` literally from the start of the input.
std::string anchored_literal(std::string_view text);

}  // namespace takedown::control
