#include "filters/snapshot/snapshot_format.hpp"

#include <xxhash.h>  // the shared library: the checksum is cold, and inlining AVX-512 code warns

#include <cstddef>
#include <cstring>

namespace takedown::filters::snapshot_format {

std::uint64_t file_checksum(std::span<const std::uint8_t> file) {
  FileHeader header;
  std::memcpy(&header, file.data(), sizeof(header));
  header.checksum = 0;
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, &header, sizeof(header));
  XXH3_64bits_update(state, file.data() + sizeof(header), file.size() - sizeof(header));
  const std::uint64_t sum = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return sum;
}

}  // namespace takedown::filters::snapshot_format
