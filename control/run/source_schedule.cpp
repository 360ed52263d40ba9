#include "control/run/source_schedule.hpp"

#include <algorithm>

#include "control/sources/list_sources.hpp"

namespace takedown::control {

SourceSchedule::SourceSchedule(const schema::Config& config, Clock::time_point now,
                               const SourceSchedule* previous)
    : config_(config) {
  for (std::size_t i = 0; i < config.lists.size(); ++i) {
    const schema::ListConfig& list = config.lists[i];
    if (!is_fetched(list)) continue;
    Entry entry{i, now, {}};
    for (const Entry& old : previous ? previous->entries_ : std::vector<Entry>{}) {
      const schema::ListConfig& was = previous->config_.lists[old.index];
      if (was.name == list.name && schema::source_text(was) == schema::source_text(list)) {
        entry.next = old.next;
        entry.last_attempt = old.last_attempt;
      }
    }
    entries_.push_back(entry);
  }
}

std::vector<std::size_t> SourceSchedule::due(Clock::time_point now) const {
  std::vector<std::size_t> out;
  for (const Entry& e : entries_) {
    if (e.next <= now) out.push_back(e.index);
  }
  return out;
}

std::chrono::seconds SourceSchedule::next_delay(const schema::ListConfig& list,
                                                const SourceUpdate& update) {
  using std::chrono::seconds;
  const SourceState& s = update.state;
  const bool zone = list.source == schema::SourceKind::Transfer;
  // A zone's own timers, kept within 10 s and a day: a primary's 0 would hammer it, its 2^32-1
  // would never look again.
  const auto bounded = [](std::uint32_t t) {
    return seconds(std::clamp<std::uint32_t>(t, 10, 86400));
  };
  const seconds refresh =
      zone ? bounded(s.has_serial ? s.refresh : 0) : seconds(list.url.refresh_seconds);
  if (update.ok) return zone && !s.has_serial ? seconds(30) : refresh;
  if (zone && s.has_serial) return bounded(s.retry);
  const std::uint64_t k =
      std::min<std::uint64_t>(std::max<std::uint64_t>(s.consecutive_failures, 1), 7);
  return std::min(seconds(30ll << (k - 1)), std::max(refresh, seconds(30)));
}

void SourceSchedule::done(std::size_t index, const SourceUpdate& update, Clock::time_point now) {
  for (Entry& e : entries_) {
    if (e.index != index) continue;
    e.next = now + next_delay(config_.lists[index], update);
    e.last_attempt = now;
  }
}

bool SourceSchedule::notify(const std::string& zone, const std::string& primary,
                            Clock::time_point now) {
  bool found = false;
  for (Entry& e : entries_) {
    const schema::ListConfig& list = config_.lists[e.index];
    if (list.source == schema::SourceKind::Transfer && list.transfer.zone == zone &&
        list.transfer.primary == primary) {
      e.next = std::min(e.next, std::max(now, e.last_attempt + kNotifyGap));
      found = true;
    }
  }
  return found;
}

int SourceSchedule::wait_ms(Clock::time_point now, int cap) const {
  auto wait = std::chrono::milliseconds(cap);
  for (const Entry& e : entries_) {
    wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(e.next - now));
  }
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(wait.count(), 0));
}

}  // namespace takedown::control
