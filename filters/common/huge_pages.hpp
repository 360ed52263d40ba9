// Memory for the tables the hot path reads at random (a snapshot's bloom filter and exact set, a
// worker's flow table), backed by transparent huge pages where the kernel gives them.
//
// With 4 KB pages a random probe into a table of megabytes misses the TLB nearly every time (a
// 2 MB table spans 512 pages, far more than the TLB's first level holds); a 2 MB page covers it in
// one entry. allocate_table() aligns a table of 1 MB or more to 2 MB and asks for huge pages with
// madvise(MADV_HUGEPAGE), which works in the kernel's default "madvise" THP mode and needs no
// reserved hugepages; the kernel falls back to small pages when it has no huge one. Smaller tables
// get 64-byte-aligned memory as before. Cold path (start-up, snapshot load); free with std::free().
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace takedown::filters {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;
inline constexpr std::size_t kHugePageWorthIt = std::size_t{1} << 20;

// `bytes` of memory (uninitialised), aligned to 64 bytes at least; nullptr when out of memory.
inline void* allocate_table(std::size_t bytes) {
  if (bytes < kHugePageWorthIt) {
    return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  }
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p != nullptr) ::madvise(p, rounded, MADV_HUGEPAGE);  // advice: failure changes nothing
  return p;
}

// `count` value-initialised T in allocate_table() memory: a worker's flow table and its gathering
// buffers, which the hot path reads at random. Owns its memory; moves, never copies. Cold path:
// throws std::bad_alloc when out of memory, as a std::vector would.
template <typename T>
class TableArray {
  static_assert(std::is_trivially_destructible_v<T>);

 public:
  TableArray() = default;
  explicit TableArray(std::size_t count)
      : data_(static_cast<T*>(allocate_table(count * sizeof(T)))), size_(count) {
    if (data_ == nullptr && count != 0) throw std::bad_alloc();
    for (std::size_t i = 0; i < count; ++i) new (data_ + i) T{};
  }
  TableArray(TableArray&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  TableArray& operator=(TableArray&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  TableArray(const TableArray&) = delete;
  TableArray& operator=(const TableArray&) = delete;
  ~TableArray() { std::free(data_); }

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace takedown::filters
