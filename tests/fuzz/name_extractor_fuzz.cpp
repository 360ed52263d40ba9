// libFuzzer target: frame to name extraction, then the matcher on whatever name comes out,
// against a small snapshot with domain, regex and url rules.
#include <memory>

#include "control/compile/snapshot_builder.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/match/matcher.hpp"

namespace {

struct Fixture {
  std::unique_ptr<takedown::filters::Snapshot> snapshot;
  std::unique_ptr<takedown::filters::Matcher> matcher;
  takedown::filters::MatchScratch scratch;

  Fixture() {
    takedown::control::SnapshotBuilder builder(0.01);
    const std::uint16_t block = *builder.add_policy(takedown::filters::Policy{});
    takedown::filters::Policy allow_policy;
    allow_policy.action = takedown::filters::Action::Allow;
    const std::uint16_t allow = *builder.add_policy(allow_policy);
    const auto list = builder.add_list("fuzz", "fuzz", "domains", block, false, 4, 0,
                                       *takedown::control::list_answer("fuzz", {}, 1));
    builder.begin_domains(3);
    builder.add_domain("example.com", 3, {1, list, block});
    builder.add_domain("ok.example.com", 3, {2, list, allow});
    builder.add_domain("a", 1, {3, list, block});
    builder.add_regex("^ads[0-9]+\\.", {4, list, block});
    builder.add_url("example.com", "/phish", {5, list, block});
    std::vector<takedown::control::PatternFailure> f1, f2;
    auto bytes = builder.build(f1, f2);
    snapshot = std::move(takedown::filters::Snapshot::load_bytes(bytes.value(), "fuzz")).value();
    matcher = std::make_unique<takedown::filters::Matcher>(*snapshot);
    (void)scratch.prepare(*snapshot);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  takedown::filters::Extraction extraction;
  takedown::filters::extract_name({data, size}, takedown::filters::ExtractPorts{}, extraction);
  if (const auto* name = extraction.name()) {
    if (extraction.protocol == takedown::filters::Protocol::Http) {
      fixture.matcher->match_http(*name, extraction.http.path, fixture.scratch);
    } else {
      fixture.matcher->match(*name, fixture.scratch);
      const takedown::filters::DomainName* burst[] = {name, name};
      takedown::filters::Verdict verdicts[2];
      fixture.matcher->match_burst(burst, verdicts, fixture.scratch);
    }
  }
  return 0;
}
