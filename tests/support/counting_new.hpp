// Replaces the global operator new with one that counts while `g_counting` is set, for the tests
// that prove a hot path allocates nothing. Include it in one file of a test binary only, and not
// under ASan (which brings its own allocator).
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace takedown::testing {
inline std::atomic<bool> g_counting{false};
inline std::atomic<std::size_t> g_allocations{0};
}  // namespace takedown::testing

// malloc/free behind new/delete on purpose; gcc 12 cannot see that they pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (takedown::testing::g_counting.load(std::memory_order_relaxed)) {
    takedown::testing::g_allocations.fetch_add(1);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
