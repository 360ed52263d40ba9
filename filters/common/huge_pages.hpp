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

}  // namespace takedown::filters
