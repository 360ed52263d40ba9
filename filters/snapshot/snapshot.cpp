#include "filters/snapshot/snapshot.hpp"

#include <fcntl.h>
#include <hs/hs_runtime.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "filters/common/huge_pages.hpp"
#include "filters/dns/wire_name.hpp"

namespace takedown::filters {
namespace fmt = snapshot_format;

namespace {

std::string_view section_name(std::uint32_t id) {
  switch (id) {
#define TAKEDOWN_X(name, number, text) \
  case number:                         \
    return text;
    TAKEDOWN_SNAPSHOT_SECTIONS(TAKEDOWN_X)
#undef TAKEDOWN_X
  }
  return "unknown";
}

Error fail(const std::string& origin, const std::string& what) {
  return make_error(origin + ": not a valid snapshot: " + what);
}

bool in_bounds(fmt::StringRef ref, std::size_t size) {
  return std::uint64_t{ref.offset} + ref.length <= size;
}

std::span<const std::uint8_t> bytes_of(std::string_view strings, fmt::StringRef ref) {
  return {reinterpret_cast<const std::uint8_t*>(strings.data()) + ref.offset, ref.length};
}

// The sizes ListReply promises, and SOA names that are whole wire names: an empty or valid
// owner, and RDATA of two names and five 32-bit numbers.
bool answer_ok(const fmt::AnswerRecord& a, std::string_view strings) {
  if (a.ede > static_cast<std::uint8_t>(EdeCode::Prohibited) ||
      a.ede_text.length > ListReply::kMaxEdeText || a.http_page.length > ListReply::kMaxHttpPage ||
      a.soa_owner.length > ListReply::kMaxSoaName || a.soa_rdata.length > ListReply::kMaxSoaRdata) {
    return false;
  }
  const auto owner = bytes_of(strings, a.soa_owner);
  if (!owner.empty() && wire_name_length(owner) != owner.size()) return false;
  const auto rdata = bytes_of(strings, a.soa_rdata);
  const std::size_t mname = wire_name_length(rdata);
  if (mname == 0 || mname > ListReply::kMaxSoaName) return false;
  const std::size_t rname = wire_name_length(rdata.subspan(mname));
  return rname != 0 && rname <= ListReply::kMaxSoaName && mname + rname + 20 == rdata.size();
}

Result<hs_database_t*> load_database(std::span<const std::uint8_t> bytes, const std::string& origin,
                                     std::string_view what) {
  if (bytes.empty()) return static_cast<hs_database_t*>(nullptr);
  hs_database_t* db = nullptr;
  const hs_error_t rc =
      hs_deserialize_database(reinterpret_cast<const char*>(bytes.data()), bytes.size(), &db);
  if (rc != HS_SUCCESS) {
    std::string reason = rc == HS_DB_PLATFORM_ERROR ? "it was compiled for another CPU platform"
                         : rc == HS_DB_VERSION_ERROR
                             ? "it was compiled by another Hyperscan version"
                             : "Hyperscan error " + std::to_string(rc);
    return fail(origin, "the " + std::string(what) + " database cannot be loaded: " + reason);
  }
  return db;
}

}  // namespace

void Snapshot::FreeBuffer::operator()(std::uint8_t* p) const { std::free(p); }

Snapshot::~Snapshot() {
  if (regex_db_ != nullptr) hs_free_database(regex_db_);
  if (url_db_ != nullptr) hs_free_database(url_db_);
}

std::unique_ptr<Snapshot> Snapshot::allocate(std::size_t size) {
  // Sections are 64-byte aligned in the file, so the buffer is too; padded to a whole line. A
  // snapshot of a megabyte or more lies in huge pages where the kernel has them (the bloom filter
  // and the exact set are probed at random).
  const std::size_t rounded = (size + fmt::kAlignment - 1) / fmt::kAlignment * fmt::kAlignment;
  std::unique_ptr<Snapshot> snapshot(new Snapshot());
  snapshot->buffer_.reset(static_cast<std::uint8_t*>(allocate_table(rounded + fmt::kAlignment)));
  if (!snapshot->buffer_) return nullptr;
  snapshot->size_ = size;
  return snapshot;
}

namespace {

struct CloseFd {
  int fd;
  ~CloseFd() {
    if (fd >= 0) ::close(fd);
  }
};

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// Reads exactly `length` bytes at `offset`; false on error or end of file.
bool read_at(int fd, std::uint8_t* out, std::size_t length, off_t offset) {
  while (length > 0) {
    const ssize_t n = ::pread(fd, out, length, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    length -= static_cast<std::size_t>(n);
    offset += n;
  }
  return true;
}

// The header's own checks, before anything else is read: a file that is not a snapshot (a
// sparse gigabyte, a log file) is refused after 64 bytes.
Result<bool> check_header(const fmt::FileHeader& header, std::uint64_t size,
                          const std::string& origin) {
  if (std::memcmp(header.magic, fmt::kMagic, sizeof(header.magic)) != 0) {
    return fail(origin, "bad magic (expected a Takedown snapshot)");
  }
  if (header.version != fmt::kVersion) {
    return fail(origin, "format version " + std::to_string(header.version) +
                            ", this build reads version " + std::to_string(fmt::kVersion));
  }
  if (header.header_size != sizeof(header)) return fail(origin, "bad header size");
  if (header.file_size != size) {
    return fail(origin, "truncated or padded: header says " + std::to_string(header.file_size) +
                            " bytes, file has " + std::to_string(size));
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Snapshot>> Snapshot::load_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  CloseFd file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) return make_error(path + ": cannot open snapshot: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) {
    return make_error(path + ": cannot stat snapshot: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(path + ": not a snapshot: it is " + file_kind(st.st_mode) +
                      ", not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < sizeof(fmt::FileHeader)) {
    return fail(path, "file is " + std::to_string(size) + " bytes, shorter than the header");
  }
  fmt::FileHeader header;
  if (!read_at(file.fd, reinterpret_cast<std::uint8_t*>(&header), sizeof header, 0)) {
    return make_error(path + ": cannot read the snapshot header: " + std::strerror(errno));
  }
  if (auto ok = check_header(header, size, path); !ok) return make_error(ok.error());
  std::unique_ptr<Snapshot> snapshot = allocate(static_cast<std::size_t>(size));
  if (!snapshot) {
    return make_error(path + ": out of memory reading a snapshot of " + std::to_string(size) +
                      " bytes");
  }
  if (!read_at(file.fd, snapshot->buffer_.get(), size, 0)) {
    return make_error(path + ": short read on snapshot (" + std::strerror(errno) + ")");
  }
  auto ok = snapshot->verify(path);
  if (!ok) return make_error(ok.error());
  return snapshot;
}

Result<std::unique_ptr<Snapshot>> Snapshot::load_bytes(std::span<const std::uint8_t> bytes,
                                                       const std::string& origin) {
  std::unique_ptr<Snapshot> snapshot = allocate(bytes.size());
  if (!snapshot) return make_error(origin + ": out of memory");
  if (!bytes.empty()) std::memcpy(snapshot->buffer_.get(), bytes.data(), bytes.size());
  auto ok = snapshot->verify(origin);
  if (!ok) return make_error(ok.error());
  return snapshot;
}

Result<bool> Snapshot::verify(const std::string& origin) {
  const std::uint8_t* base = buffer_.get();
  if (size_ < sizeof(fmt::FileHeader)) {
    return fail(origin, "file is " + std::to_string(size_) + " bytes, shorter than the header");
  }
  fmt::FileHeader header;
  std::memcpy(&header, base, sizeof(header));
  if (auto ok = check_header(header, size_, origin); !ok) return make_error(ok.error());
  if (fmt::file_checksum({base, size_}) != header.checksum) {
    return fail(origin, "checksum mismatch (the file is corrupt)");
  }
  created_unix_ = header.created_unix;

  const std::uint64_t table_end =
      sizeof(header) + std::uint64_t{header.section_count} * sizeof(fmt::SectionEntry);
  if (header.section_count > 64 || table_end > size_) return fail(origin, "bad section table");
  std::array<std::span<const std::uint8_t>, fmt::kSectionIdLimit> sections{};
  std::array<bool, fmt::kSectionIdLimit> seen{};
  for (std::uint32_t i = 0; i < header.section_count; ++i) {
    fmt::SectionEntry entry;
    std::memcpy(&entry, base + sizeof(header) + i * sizeof(entry), sizeof(entry));
    if (entry.id == 0 || entry.id >= fmt::kSectionIdLimit || seen[entry.id]) {
      return fail(origin, "unknown or repeated section id " + std::to_string(entry.id));
    }
    if (entry.offset % fmt::kAlignment != 0 || entry.offset < table_end || entry.offset > size_ ||
        entry.size > size_ - entry.offset) {
      return fail(origin, "section " + std::string(section_name(entry.id)) + " is out of bounds");
    }
    seen[entry.id] = true;
    sections[entry.id] = {base + entry.offset, entry.size};
  }
  auto section = [&](fmt::SectionId id) { return sections[static_cast<std::uint32_t>(id)]; };
  for (fmt::SectionId id :
       {fmt::SectionId::Meta, fmt::SectionId::Bloom, fmt::SectionId::Slots, fmt::SectionId::Arena,
        fmt::SectionId::Policies, fmt::SectionId::Lists, fmt::SectionId::Strings,
        fmt::SectionId::Answers}) {
    if (!seen[static_cast<std::uint32_t>(id)]) {
      return fail(origin,
                  "missing section " + std::string(section_name(static_cast<std::uint32_t>(id))));
    }
  }

  if (section(fmt::SectionId::Meta).size() != sizeof(fmt::Meta))
    return fail(origin, "bad meta section size");
  meta_ = reinterpret_cast<const fmt::Meta*>(section(fmt::SectionId::Meta).data());
  const fmt::Meta& m = *meta_;

  if (m.bloom_blocks == 0 || m.bloom_probes != BloomFilter::kProbes ||
      section(fmt::SectionId::Bloom).size() !=
          std::uint64_t{m.bloom_blocks} * BloomFilter::kWordsPerBlock * 8) {
    return fail(origin, "bloom section does not match its parameters");
  }
  bloom_ =
      BloomFilter({reinterpret_cast<const std::uint64_t*>(section(fmt::SectionId::Bloom).data()),
                   std::uint64_t{m.bloom_blocks} * BloomFilter::kWordsPerBlock},
                  {m.bloom_blocks, m.bloom_probes});

  if (m.slot_capacity <= m.rule_count ||
      section(fmt::SectionId::Slots).size() != m.slot_capacity * sizeof(SuffixSlot)) {
    return fail(origin, "slot section does not match its capacity");
  }
  if (section(fmt::SectionId::Policies).size() != std::uint64_t{m.policy_count} * sizeof(Policy) ||
      m.policy_count == 0) {
    return fail(origin, "policy section does not match its count");
  }
  if (section(fmt::SectionId::Lists).size() !=
      std::uint64_t{m.list_count} * sizeof(fmt::ListRecord)) {
    return fail(origin, "list section does not match its count");
  }
  if (section(fmt::SectionId::Answers).size() !=
      std::uint64_t{m.list_count} * sizeof(fmt::AnswerRecord)) {
    return fail(origin, "answers section does not match the list count");
  }
  if (section(fmt::SectionId::Patterns).size() !=
      std::uint64_t{m.pattern_count} * sizeof(fmt::PatternRecord)) {
    return fail(origin, "pattern section does not match its count");
  }
  policies_ = {reinterpret_cast<const Policy*>(section(fmt::SectionId::Policies).data()),
               m.policy_count};
  lists_ = {reinterpret_cast<const fmt::ListRecord*>(section(fmt::SectionId::Lists).data()),
            m.list_count};
  answers_ = {reinterpret_cast<const fmt::AnswerRecord*>(section(fmt::SectionId::Answers).data()),
              m.list_count};
  patterns_ = {
      reinterpret_cast<const fmt::PatternRecord*>(section(fmt::SectionId::Patterns).data()),
      m.pattern_count};
  const auto strings = section(fmt::SectionId::Strings);
  strings_ = {reinterpret_cast<const char*>(strings.data()), strings.size()};

  for (const Policy& p : policies_) {
    if (static_cast<unsigned>(p.action) > 2 || static_cast<unsigned>(p.dns) > 4 ||
        static_cast<unsigned>(p.http) > 2 || static_cast<unsigned>(p.tls) > 1 ||
        p.a_count > Policy::kMaxAddresses || p.aaaa_count > Policy::kMaxAddresses ||
        p.important > 1 || (p.important == 1 && p.action == Action::Log)) {
      return fail(origin, "a policy holds values out of range");
    }
  }
  for (const auto& list : lists_) {
    if (!in_bounds(list.name, strings.size()) || !in_bounds(list.source, strings.size()) ||
        !in_bounds(list.format, strings.size()) || list.policy >= m.policy_count) {
      return fail(origin, "a list record points outside the snapshot");
    }
  }
  for (const auto& a : answers_) {
    if (!in_bounds(a.soa_owner, strings.size()) || !in_bounds(a.soa_rdata, strings.size()) ||
        !in_bounds(a.ede_text, strings.size()) || !in_bounds(a.http_page, strings.size())) {
      return fail(origin, "an answer record points outside the snapshot");
    }
    if (!answer_ok(a, strings_)) return fail(origin, "an answer record holds values out of range");
  }
  auto rule_ok = [&](const Rule& r) { return r.list < m.list_count && r.policy < m.policy_count; };
  for (const auto& p : patterns_) {
    if (!rule_ok(p.rule) || static_cast<unsigned>(p.kind) > 1)
      return fail(origin, "a pattern rule is out of range");
  }

  const auto arena = section(fmt::SectionId::Arena);
  const auto* slots = reinterpret_cast<const SuffixSlot*>(section(fmt::SectionId::Slots).data());
  std::uint64_t used = 0;
  for (std::uint64_t i = 0; i < m.slot_capacity; ++i) {
    const SuffixSlot& s = slots[i];
    if (s.empty()) continue;
    ++used;
    const std::uint64_t off = s.arena_offset();
    if (s.scope() == 0 || off >= arena.size() || off + 1 + arena[off] > arena.size() ||
        !rule_ok(s.rule)) {
      return fail(origin, "slot " + std::to_string(i) + " points outside the snapshot");
    }
  }
  if (used != m.rule_count) return fail(origin, "slot count does not match the meta section");
  suffix_set_ = SuffixSet({slots, m.slot_capacity}, arena);

  auto regex = load_database(section(fmt::SectionId::RegexDb), origin, "regex");
  if (!regex) return make_error(regex.error());
  regex_db_ = regex.value();
  auto url = load_database(section(fmt::SectionId::UrlDb), origin, "url");
  if (!url) return make_error(url.error());
  url_db_ = url.value();
  if ((m.regex_rule_count > 0) != (regex_db_ != nullptr) ||
      (m.url_rule_count > 0) != (url_db_ != nullptr)) {
    return fail(origin, "pattern databases do not match the rule counts");
  }
  return true;
}

}  // namespace takedown::filters
