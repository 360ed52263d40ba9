#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each. Seeds: real list files and configs, and frames and
# payloads cut from a generated capture. Corpora grow in BUILD/fuzz-corpus/ and are reused by the
# next run; a crash leaves its input as BUILD/fuzz-artifacts/<target>-crash-* and fails the run.
# usage: scripts/fuzz.sh BUILD SECONDS
set -euo pipefail
build=${1:?build folder}
seconds=${2:?seconds per target}
seeds="$build/fuzz-seeds"
corpus="$build/fuzz-corpus"
artifacts="$build/fuzz-artifacts"
mkdir -p "$seeds" "$corpus" "$artifacts"

# Seeds are made once per build folder; the marker's version changes when the seed formats do.
if [ ! -f "$seeds/.done-3" ]; then
  python3 tests/integration/generate_capture.py "$seeds/capture.pcap" --frames 200 --seed 7
  python3 - "$seeds" <<'PY'
import os, struct, sys
seeds = sys.argv[1]
data = open(os.path.join(seeds, "capture.pcap"), "rb").read()
at, n = 24, 0
for name in ("packet_decoder_fuzz", "name_extractor_fuzz", "reply_fuzz", "dns_query_fuzz", "http_request_fuzz",
             "client_hello_fuzz", "list_loader_fuzz", "config_loader_fuzz"):
    os.makedirs(os.path.join(seeds, name), exist_ok=True)
while at + 16 <= len(data):
    caplen = struct.unpack("<I", data[at + 8:at + 12])[0]
    frame = data[at + 16:at + 16 + caplen]
    at += 16 + caplen
    n += 1
    for name in ("name_extractor_fuzz", "reply_fuzz"):
        open(os.path.join(seeds, name, f"frame-{n}"), "wb").write(frame)
    # packet_decoder_fuzz: a link-type byte (0: Ethernet, every wrapper open), a depth byte (4).
    open(os.path.join(seeds, "packet_decoder_fuzz", f"frame-{n}"), "wb").write(b"\x00\x04" + frame)
    # Payloads: the bytes after the transport header, routed by a rough guess at their protocol.
    for marker, name in ((b"\x16\x03", "client_hello_fuzz"), (b"HTTP/1.", "http_request_fuzz")):
        pos = frame.find(marker)
        if pos > 0:
            start = pos if marker == b"\x16\x03" else frame.rfind(b"\x18", 0, pos) + 8
            open(os.path.join(seeds, name, f"payload-{n}"), "wb").write(frame[max(start, 0):])
    if frame[-4:-2] in (b"\x00\x01", b"\x00\x1c", b"\x00\x0f", b"\x00\x10", b"\x00\x41"):
        open(os.path.join(seeds, "dns_query_fuzz", f"tail-{n}"), "wb").write(frame[42:])
PY
  for f in tests/data/lists/* conf/lists/allowlist-regex.txt; do
    for format in 0 1 2 3 4 5 6 7 8; do  # every TAKEDOWN_LIST_FORMATS index
      { printf "\\x0$format"; head -c 4000 "$f"; } > "$seeds/list_loader_fuzz/$(basename "$f")-$format"
    done
  done
  cp conf/*.yaml "$seeds/config_loader_fuzz/"
  # Wrapped frames of every link type (generate_wrapped_capture.py), one small classic pcap each:
  # the pcaps seed capture_reader_fuzz, their frames the decoder (with the link type's index in
  # packet_decoder_fuzz's kLinks order), and the Ethernet ones the extractor and the replies.
  mkdir -p "$seeds/capture_reader_fuzz"
  python3 tests/integration/generate_wrapped_capture.py "$seeds/capture_reader_fuzz/wrapped.pcapng" \
    --frames 40 --seed 7
  index=0
  for linktype in 1 101 228 229 113 276 104 0 108; do
    python3 tests/integration/generate_wrapped_capture.py "$seeds/capture_reader_fuzz/wrapped-$linktype.pcap" \
      --frames 30 --seed 7 --pcap-linktype "$linktype"
    python3 - "$seeds" "$linktype" "$index" <<'PY'
import os, struct, sys
seeds, linktype, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(os.path.join(seeds, "capture_reader_fuzz", f"wrapped-{linktype}.pcap"), "rb").read()
at, n = 24, 0
while at + 16 <= len(data):
    caplen = struct.unpack("<I", data[at + 8:at + 12])[0]
    frame = data[at + 16:at + 16 + caplen]
    at += 16 + caplen
    n += 1
    open(os.path.join(seeds, "packet_decoder_fuzz", f"wrapped-{linktype}-{n}"), "wb").write(
        bytes([index, 4]) + frame)
    if linktype == "1":
        for name in ("name_extractor_fuzz", "reply_fuzz"):
            open(os.path.join(seeds, name, f"wrapped-{n}"), "wb").write(frame)
PY
    index=$((index + 1))
  done
  touch "$seeds/.done-3"
fi

failed=0
targets=(packet_decoder_fuzz dns_query_fuzz http_request_fuzz client_hello_fuzz name_extractor_fuzz
         reply_fuzz list_loader_fuzz config_loader_fuzz control_message_fuzz flow_reassembly_fuzz
         quic_initial_fuzz capture_reader_fuzz wire_name_fuzz)
# FUZZ_TARGETS="a b" runs only those (a campaign on one target).
if [ -n "${FUZZ_TARGETS:-}" ]; then read -r -a targets <<< "$FUZZ_TARGETS"; fi
for target in "${targets[@]}"; do
  mkdir -p "$corpus/$target" "$seeds/$target"
  # The minimised corpus kept in the repository (tests/fuzz/corpus/TARGET), when there is one.
  kept=()
  if [ -d "tests/fuzz/corpus/$target" ]; then kept=("tests/fuzz/corpus/$target"); fi
  if "$build/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$target-" "$corpus/$target" "$seeds/$target" "${kept[@]}" \
       > "$build/fuzz-$target.log" 2>&1; then
    echo "fuzz $target: $(grep -E '^stat::number_of_executed_units' "$build/fuzz-$target.log" | awk '{print $2}') runs in ${seconds}s, no crash"
  else
    echo "fuzz $target: FAILED, see $build/fuzz-$target.log and $artifacts/"
    tail -20 "$build/fuzz-$target.log"
    failed=1
  fi
done
exit $failed
