// libFuzzer target: any bytes as a pcap or pcapng file. The reader must end cleanly or with an
// error, never read past what it was given (ASan), and every frame it returns goes through the
// name extractor with the link type the file gave it, as takedownctl inspect does.
#include <cstdio>

#include "control/capture/capture_reader.hpp"
#include "filters/extract/name_extractor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::FILE* file = ::fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
  if (file == nullptr) return 0;
  auto reader = takedown::control::CaptureReader::open(file, "fuzz");
  if (!reader) return 0;
  takedown::control::CaptureFrame frame;
  takedown::filters::Extraction x;
  const takedown::filters::ExtractPorts ports;
  std::size_t frames = 0;
  for (takedown::control::CaptureReader::Next next;
       (next = reader.value()->next(frame)) == takedown::control::CaptureReader::Next::Frame;) {
    if (frame.bytes.size() > size) __builtin_trap();  // more bytes than the file holds
    if (frame.link) takedown::filters::extract_name(frame.bytes, ports, x, *frame.link);
    ++frames;
  }
  if (frames * 12 > size) __builtin_trap();  // every frame costs at least a 12-byte block
  return 0;
}
