// The one hash every name structure uses: XXH3-64 of the normalised bytes.
//
// The bloom filter and the suffix set share it, so a suffix is hashed once per lookup. Inlined
// from Debian's libxxhash header (XXH_INLINE_ALL) because a call into the shared object costs more
// than hashing a 20-byte name. Pure function, safe on any thread.
#pragma once

#include <cstdint>
#include <string_view>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
// Names are at most 253 bytes, so XXH3's wide-vector path barely runs; AVX2 avoids gcc 12's false
// -Wuninitialized warnings inside its AVX-512 intrinsics header.
#if !defined(XXH_VECTOR) && defined(__AVX2__)
#define XXH_VECTOR 2  // XXH_AVX2
#endif
#include <xxhash.h>

namespace takedown::filters {

inline std::uint64_t name_hash(std::string_view name) {
  return XXH3_64bits(name.data(), name.size());
}

}  // namespace takedown::filters
