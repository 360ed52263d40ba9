// SourceSchedule: when each list with a url or a transfer is next fetched by `takedownctl run`.
//
// Every such list is due at start. After a fetch: a URL list again after its `refresh`; a zone
// after its SOA refresh (at least 10 s). After a failure: a zone after its SOA retry once it has
// a serial; otherwise 30 s, doubling per consecutive failure, never later than the refresh. A
// NOTIFY makes its zone due at once, but never sooner than 250 ms after the zone's last attempt,
// so that a storm of NOTIFYs (UDP, spoofable where there is no TSIG) costs the primary at most
// four transfers a second (BIND answers NOTIFYs with at most 20 SOA queries a second, over all
// its zones). Cold path; owned by the run loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "control/schema/config.hpp"
#include "control/sources/url_source.hpp"

namespace takedown::control {

class SourceSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  // `config` must outlive the schedule. With `previous`, a list of the same name and source keeps
  // its times from it (a config change does not refetch everything); others are due at `now`.
  SourceSchedule(const schema::Config& config, Clock::time_point now,
                 const SourceSchedule* previous = nullptr);

  // Indexes into config.lists of the lists due at `now`.
  std::vector<std::size_t> due(Clock::time_point now) const;
  // Records what a fetch of list `index` did and sets its next time.
  void done(std::size_t index, const SourceUpdate& update, Clock::time_point now);
  // Makes the transfer list of `zone` from `primary` due now; false when there is none.
  bool notify(const std::string& zone, const std::string& primary, Clock::time_point now);
  // Milliseconds until the next list is due (0: one is due; `cap` when none comes sooner).
  int wait_ms(Clock::time_point now, int cap) const;

  // The delay after an attempt, for the tests: `refresh` after a success, else as above.
  static std::chrono::seconds next_delay(const schema::ListConfig& list,
                                         const SourceUpdate& update);

 private:
  static constexpr std::chrono::milliseconds kNotifyGap{250};

  struct Entry {
    std::size_t index;
    Clock::time_point next;
    Clock::time_point last_attempt{};
  };
  const schema::Config& config_;
  std::vector<Entry> entries_;
};

}  // namespace takedown::control
