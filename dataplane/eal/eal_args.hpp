// eal_arguments(): the argv that rte_eal_init() gets, from the dataplane section.
//
// The operator's `eal` list comes first, then one `--vdev` per virtual-device port and one `-a`
// (allow) per PCI port, so the EAL probes exactly the configured ports. When the list names no
// lcores (-l, -c or --lcores), "-l 0-<workers>" gives the main lcore plus one per worker.
// Cold path; no DPDK types.
#pragma once

#include <string>
#include <vector>

#include "control/schema/dataplane_config.hpp"

namespace takedown::dataplane {

std::vector<std::string> eal_arguments(const schema::DataplaneConfig& config);

}  // namespace takedown::dataplane
