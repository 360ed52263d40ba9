// prometheus_text(): the stats in the Prometheus text exposition format (version 0.0.4).
//
// Names carry the takedown_ prefix, counters end in _total, sizes and times are in base units
// (bytes, seconds). Labels: port and direction for packets and bytes; protocol and action for
// verdicts; list for hits; worker for the busy ratio. Families, types and help texts come from the
// exported-statistics table (control/schema/stats.hpp), as the stats JSON does, so the two
// cannot disagree. Cold path (the main lcore, once per scrape).
#pragma once

#include <string>

#include "control/schema/stats.hpp"

namespace takedown::dataplane {

std::string prometheus_text(const schema::Stats& in);

}  // namespace takedown::dataplane
