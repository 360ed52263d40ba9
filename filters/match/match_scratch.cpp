#include "filters/match/match_scratch.hpp"

#include <hs/hs_runtime.h>

#include <string>

#include "filters/snapshot/snapshot.hpp"

namespace takedown::filters {

MatchScratch::~MatchScratch() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

MatchScratch& MatchScratch::operator=(MatchScratch&& other) noexcept {
  if (this != &other) {
    if (scratch_ != nullptr) hs_free_scratch(scratch_);
    scratch_ = other.scratch_;
    other.scratch_ = nullptr;
  }
  return *this;
}

Result<bool> MatchScratch::prepare(const Snapshot& snapshot) {
  for (const hs_database_t* db : {snapshot.regex_db(), snapshot.url_db()}) {
    if (db == nullptr) continue;
    const hs_error_t rc = hs_alloc_scratch(db, &scratch_);
    if (rc != HS_SUCCESS)
      return make_error("cannot allocate Hyperscan scratch: error " + std::to_string(rc));
  }
  return true;
}

}  // namespace takedown::filters
