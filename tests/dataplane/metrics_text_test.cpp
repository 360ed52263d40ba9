// /metrics is an expansion of the exported-statistics table: every family of the table is there
// with its HELP and TYPE, every counter row that names a family is a sample with its label and
// value, and the lagging-worker gauge names the worker.
#include "dataplane/stats/metrics_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace takedown::dataplane {
namespace {

TEST(MetricsText, EveryFamilyAndCounterRowOfTheTableIsExposed) {
  schema::Stats stats;
  for (std::size_t row = 0; row < schema::kCounterCount; ++row) stats.totals.value(row) = 500 + row;
  stats.worker_load = {{10, 20, false}, {5, 20, true}};
  stats.reloads.grace_timeouts = 3;
  stats.reloads.retired_pending = 1;
  const std::string text = prometheus_text(stats);
  for (const schema::FamilyRow& f : schema::kFamilyRows) {
    std::string help = "# HELP ";
    help.append(f.name).append(" ").append(f.help).append("\n");
    std::string type = "# TYPE ";
    type.append(f.name).append(f.type == schema::MetricType::Counter ? " counter\n" : " gauge\n");
    ASSERT_NE(text.find(help), std::string::npos) << f.name;
    EXPECT_LT(text.find(help), text.find(type)) << f.name;
  }
  for (std::size_t row = 0; row < schema::kCounterCount; ++row) {
    const schema::CounterRow& r = schema::kCounterRows[row];
    if (r.family == schema::MetricFamily::None) continue;
    const schema::FamilyRow* family = nullptr;
    for (const auto& f : schema::kFamilyRows) family = f.id == r.family ? &f : family;
    ASSERT_NE(family, nullptr) << r.field;
    std::string sample = family->name;
    if (r.label[0] != '\0')
      sample.append("{").append(family->label_key).append("=\"").append(r.label).append("\"}");
    sample.append(" ").append(std::to_string(500 + row)).append("\n");
    EXPECT_NE(text.find(sample), std::string::npos) << r.field << ": no '" << sample << "'";
  }
  EXPECT_NE(text.find("takedown_worker_lagging{worker=\"0\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("takedown_worker_lagging{worker=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("takedown_worker_busy_ratio{worker=\"0\"} 0.5\n"), std::string::npos);
  EXPECT_NE(text.find("takedown_reload_grace_timeouts_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("takedown_retired_snapshots 1\n"), std::string::npos);
}

}  // namespace
}  // namespace takedown::dataplane
