// libFuzzer target, differential: DomainName::assign_wire() (its one-vector path for names of up
// to 63 bytes, and the 16-byte one) against the label-by-label reference, on any bytes. The first
// byte says how many bytes before the name may be read (0..16); the rest is the wire name and what
// follows it, exactly as readable, so AddressSanitizer sees any read outside. Traps on any
// difference in the bytes used, the status, the name or its label count.
#include <cstring>
#include <memory>

#include "filters/match/domain_name.hpp"
#include "tests/support/wire_name_reference.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using takedown::filters::DomainName;
  using takedown::filters::NameStatus;
  if (size < 1) return 0;
  const std::size_t before = data[0] % 17;
  const std::size_t readable = size - 1;
  const auto bytes = std::make_unique<std::uint8_t[]>(before + readable);
  std::memset(bytes.get(), 0x41, before);
  if (readable != 0) std::memcpy(bytes.get() + before, data + 1, readable);
  const std::uint8_t* wire = bytes.get() + before;

  DomainName fast;
  DomainName slow;
  NameStatus fast_status = NameStatus::Ok;
  NameStatus slow_status = NameStatus::Ok;
  const std::size_t fast_used = fast.assign_wire(wire, readable, fast_status, before);
  const std::size_t slow_used =
      takedown::testing::wire_name_by_label(wire, readable, slow, slow_status);
  if (fast_used != slow_used) __builtin_trap();
  if (fast_used == 0) return 0;
  if (fast_status != slow_status) __builtin_trap();
  if (fast_status == NameStatus::Ok &&
      (fast.view() != slow.view() || fast.label_count() != slow.label_count())) {
    __builtin_trap();
  }
  return 0;
}
