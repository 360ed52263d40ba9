#include "control/compile/snapshot_builder.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "filters/match/bloom_filter.hpp"
#include "filters/match/name_hash.hpp"

namespace takedown::control {
namespace fmt = filters::snapshot_format;
using filters::SuffixSet;
using filters::SuffixSlot;

std::optional<std::uint16_t> SnapshotBuilder::add_policy(const filters::Policy& policy) {
  // Policy has no padding (its reserved fields are explicit), so its bytes are its identity.
  std::string key(reinterpret_cast<const char*>(&policy), sizeof policy);
  if (const auto found = policy_index_.find(key); found != policy_index_.end())
    return found->second;
  if (policies_.size() >= kMaxPolicies) return std::nullopt;
  const auto index = static_cast<std::uint16_t>(policies_.size());
  policies_.push_back(policy);
  policy_index_.emplace(std::move(key), index);
  return index;
}

std::uint32_t SnapshotBuilder::add_string(std::string_view text) {
  const auto offset = static_cast<std::uint32_t>(strings_.size());
  strings_.append(text);
  return offset;
}

std::uint16_t SnapshotBuilder::add_list(std::string_view name, std::string_view source,
                                        std::string_view format, std::uint16_t policy, bool exact,
                                        std::uint64_t entries, std::uint64_t skipped,
                                        const ListAnswer& answer) {
  fmt::ListRecord record{};
  record.name = {add_string(name), static_cast<std::uint32_t>(name.size())};
  record.source = {add_string(source), static_cast<std::uint32_t>(source.size())};
  record.format = {add_string(format), static_cast<std::uint32_t>(format.size())};
  record.entries = static_cast<std::uint32_t>(entries);
  record.skipped = static_cast<std::uint32_t>(skipped);
  record.policy = policy;
  record.exact = exact ? 1 : 0;
  lists_.push_back(record);
  const auto ref = [&](std::string_view text) {
    return fmt::StringRef{add_string(text), static_cast<std::uint32_t>(text.size())};
  };
  fmt::AnswerRecord a{};
  a.soa_owner = ref(answer.soa_owner);
  a.soa_rdata = ref(answer.soa_rdata);
  a.ede_text = ref(answer.ede_text);
  a.http_page = ref(answer.http_page);
  a.negative_ttl = answer.negative_ttl;
  a.ede = static_cast<std::uint8_t>(answer.ede);
  answers_.push_back(a);
  return static_cast<std::uint16_t>(lists_.size() - 1);
}

void SnapshotBuilder::begin_domains(std::uint64_t max_rules) {
  slots_.assign(SuffixSet::capacity_for(max_rules), SuffixSlot{});
  arena_.reserve(max_rules * 20);
}

DomainAdd SnapshotBuilder::add_domain(std::string_view name, std::uint32_t scope,
                                      filters::Rule rule) {
  const std::uint64_t hash = filters::name_hash(name);
  const std::uint32_t tag = SuffixSet::tag_of(hash);
  const std::uint64_t capacity = slots_.size();
  if (stats_.rules + 1 >= capacity)
    throw std::logic_error("begin_domains() was given too few rules");
  std::uint64_t i = SuffixSet::home_slot(hash, capacity);
  std::uint32_t offset = SuffixSlot::kEmpty;
  for (; !slots_[i].empty(); i = (i + 1 == capacity) ? 0 : i + 1) {
    const SuffixSlot& slot = slots_[i];
    if (slot.tag != tag) continue;
    const std::uint32_t at = slot.arena_offset();
    if (arena_[at] != name.size() || std::memcmp(&arena_[at + 1], name.data(), name.size()) != 0)
      continue;
    offset = at;
    if (slot.scope() == scope && slot.rule.list == rule.list && slot.rule.policy == rule.policy) {
      ++stats_.duplicates;
      return DomainAdd::Duplicate;
    }
  }
  if (offset == SuffixSlot::kEmpty) {
    if (arena_.size() + name.size() + 1 > SuffixSlot::kMaxArenaOffset) return DomainAdd::Full;
    offset = static_cast<std::uint32_t>(arena_.size());
    arena_.push_back(static_cast<std::uint8_t>(name.size()));
    arena_.insert(arena_.end(), name.begin(), name.end());
    ++stats_.domains;
  }
  slots_[i].tag = tag;
  slots_[i].name_ref = offset << 2 | scope;
  slots_[i].rule = rule;
  ++stats_.rules;
  return DomainAdd::Added;
}

std::size_t SnapshotBuilder::add_regex(std::string expression, filters::Rule rule) {
  regex_.push_back({std::move(expression), rule, 0});
  return regex_.size() - 1;
}

std::size_t SnapshotBuilder::add_url(std::string_view host, std::string_view path_prefix,
                                     filters::Rule rule) {
  std::string literal(host);
  literal += path_prefix;
  const auto length = static_cast<std::uint16_t>(std::min<std::size_t>(literal.size(), 0xFFFF));
  urls_.push_back({anchored_literal(literal), rule, length});
  return urls_.size() - 1;
}

Result<std::vector<std::uint8_t>> SnapshotBuilder::build(
    std::vector<PatternFailure>& regex_failures, std::vector<PatternFailure>& url_failures) {
  if (slots_.empty()) begin_domains(0);
  if (policies_.empty()) policies_.push_back(filters::Policy{});
  fmt::Meta meta{};
  meta.domain_count = stats_.domains;
  meta.rule_count = stats_.rules;
  meta.slot_capacity = slots_.size();
  meta.list_count = static_cast<std::uint32_t>(lists_.size());
  meta.policy_count = static_cast<std::uint32_t>(policies_.size());

  // Masks, and the bloom filter over the distinct names and their below keys: each proper suffix
  // of two or more labels of a listed name, once, so that the matcher can stop a walk at the
  // first suffix with nothing listed below it.
  std::vector<std::uint64_t> below;
  for (std::size_t at = 0; at < arena_.size(); at += 1 + arena_[at]) {
    const std::string_view name(reinterpret_cast<const char*>(&arena_[at + 1]), arena_[at]);
    std::size_t labels = 1;
    for (char c : name) labels += c == '.';
    meta.label_count_mask[labels >> 6] |= std::uint64_t{1} << (labels & 63);
    meta.length_mask[name.size() >> 6] |= std::uint64_t{1} << (name.size() & 63);
    std::size_t cut = 0;
    for (std::size_t parent_labels = labels - 1; parent_labels >= 2; --parent_labels) {
      cut = name.find('.', cut) + 1;
      below.push_back(filters::BloomFilter::below_key(filters::name_hash(name.substr(cut))));
    }
  }
  std::sort(below.begin(), below.end());
  below.erase(std::unique(below.begin(), below.end()), below.end());
  stats_.below_keys = below.size();
  const std::size_t keys = stats_.domains + below.size();
  const auto params = filters::BloomFilter::params_for(keys, bloom_rate_);
  std::vector<std::uint64_t> bloom(
      std::uint64_t{params.blocks} * filters::BloomFilter::kWordsPerBlock, 0);
  for (const std::uint64_t key : below) filters::BloomFilter::insert(bloom, params, key);
  for (std::size_t at = 0; at < arena_.size(); at += 1 + arena_[at]) {
    const std::string_view name(reinterpret_cast<const char*>(&arena_[at + 1]), arena_[at]);
    filters::BloomFilter::insert(bloom, params, filters::name_hash(name));
  }
  meta.bloom_blocks = params.blocks;
  meta.bloom_probes = params.probes;
  meta.bloom_target_rate = bloom_rate_;
  meta.bloom_expected_rate = filters::BloomFilter::expected_false_positive_rate(keys, params);
  stats_.bloom_expected_rate = meta.bloom_expected_rate;
  stats_.bloom_bytes = bloom.size() * 8;
  for (const SuffixSlot& slot : slots_) {
    if (slot.empty()) continue;
    const filters::Policy& policy = policies_[slot.rule.policy];
    if (policy.action == filters::Action::Allow) meta.flags |= fmt::kHasDomainAllow;
    if (policy.action == filters::Action::Block && policy.important != 0)
      meta.flags |= fmt::kHasImportantBlock;
  }

  // Hyperscan: regex ids first, then url ids, both indexing the one pattern table.
  std::vector<fmt::PatternRecord> records;
  std::vector<std::string> expressions;
  for (const Pattern& p : regex_) expressions.push_back(p.expression);
  auto regex_db = compile_patterns(expressions, true, 0);
  if (!regex_db) return make_error(regex_db.error());
  expressions.clear();
  for (const Pattern& p : urls_) expressions.push_back(p.expression);
  auto url_db = compile_patterns(expressions, false, static_cast<unsigned>(regex_.size()));
  if (!url_db) return make_error(url_db.error());
  regex_failures = regex_db->failures;
  url_failures = url_db->failures;
  std::vector<bool> regex_failed(regex_.size()), url_failed(urls_.size());
  for (const auto& f : regex_failures) regex_failed[f.index] = true;
  for (const auto& f : url_failures) url_failed[f.index] = true;
  for (std::size_t i = 0; i < regex_.size(); ++i) {
    records.push_back({regex_[i].rule, fmt::PatternKind::Regex, 0, 0});
    if (regex_failed[i]) continue;
    ++stats_.regex_rules;
    meta.flags |= policies_[regex_[i].rule.policy].action == filters::Action::Allow
                      ? fmt::kHasPatternAllow
                      : fmt::kHasPatternBlock;
  }
  for (std::size_t i = 0; i < urls_.size(); ++i) {
    records.push_back({urls_[i].rule, fmt::PatternKind::Url, 0, urls_[i].prefix_length});
    if (!url_failed[i]) ++stats_.url_rules;
  }
  if (stats_.url_rules > 0) meta.flags |= fmt::kHasUrlRules;
  meta.pattern_count = static_cast<std::uint32_t>(records.size());
  meta.regex_rule_count = stats_.regex_rules;
  meta.url_rule_count = stats_.url_rules;

  struct Piece {
    fmt::SectionId id;
    const void* data;
    std::size_t size;
  };
  const Piece pieces[] = {
      {fmt::SectionId::Meta, &meta, sizeof(meta)},
      {fmt::SectionId::Bloom, bloom.data(), bloom.size() * 8},
      {fmt::SectionId::Slots, slots_.data(), slots_.size() * sizeof(SuffixSlot)},
      {fmt::SectionId::Arena, arena_.data(), arena_.size()},
      {fmt::SectionId::Policies, policies_.data(), policies_.size() * sizeof(filters::Policy)},
      {fmt::SectionId::Lists, lists_.data(), lists_.size() * sizeof(fmt::ListRecord)},
      {fmt::SectionId::Strings, strings_.data(), strings_.size()},
      {fmt::SectionId::Answers, answers_.data(), answers_.size() * sizeof(fmt::AnswerRecord)},
      {fmt::SectionId::Patterns, records.data(), records.size() * sizeof(fmt::PatternRecord)},
      {fmt::SectionId::RegexDb, regex_db->database.data(), regex_db->database.size()},
      {fmt::SectionId::UrlDb, url_db->database.data(), url_db->database.size()},
  };
  constexpr std::size_t kPieces = sizeof(pieces) / sizeof(pieces[0]);
  auto align = [](std::uint64_t n) {
    return (n + fmt::kAlignment - 1) / fmt::kAlignment * fmt::kAlignment;
  };
  std::uint64_t offset = align(sizeof(fmt::FileHeader) + kPieces * sizeof(fmt::SectionEntry));
  fmt::SectionEntry table[kPieces];
  for (std::size_t i = 0; i < kPieces; ++i) {
    table[i] = {static_cast<std::uint32_t>(pieces[i].id), 0, offset, pieces[i].size};
    offset = align(offset + pieces[i].size);
  }
  std::vector<std::uint8_t> file(offset, 0);
  fmt::FileHeader header{};
  std::memcpy(header.magic, fmt::kMagic, sizeof(header.magic));
  header.version = fmt::kVersion;
  header.header_size = sizeof(header);
  header.file_size = file.size();
  header.section_count = kPieces;
  header.created_unix = static_cast<std::uint64_t>(std::time(nullptr));
  std::memcpy(file.data(), &header, sizeof(header));
  std::memcpy(file.data() + sizeof(header), table, sizeof(table));
  for (std::size_t i = 0; i < kPieces; ++i) {
    if (pieces[i].size > 0)
      std::memcpy(file.data() + table[i].offset, pieces[i].data, pieces[i].size);
  }
  header.checksum = fmt::file_checksum(file);
  std::memcpy(file.data(), &header, sizeof(header));
  return file;
}

}  // namespace takedown::control
