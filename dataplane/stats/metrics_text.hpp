// prometheus_text(): the stats in the Prometheus text exposition format (version 0.0.4).
//
// Names carry the takedown_ prefix, counters end in _total, sizes and times are in base units
// (bytes, seconds). Labels: port and direction for packets and bytes; protocol and action for
// verdicts; list for hits; worker for the busy ratio. The same StatsInput feeds the stats JSON,
// so the two cannot disagree. Cold path (the main lcore, once per scrape).
#pragma once

#include <string>

#include "dataplane/stats/stats_report.hpp"

namespace takedown::dataplane {

std::string prometheus_text(const StatsInput& in);

}  // namespace takedown::dataplane
