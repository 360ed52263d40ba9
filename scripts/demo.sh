#!/usr/bin/env bash
# `make demo`: the main job on the embedded default (conf/demo.yaml). takedownctl compiles the
# lists into a snapshot in the config's snapshot folder, which takedownd starts from. It runs on net_pcap
# virtual devices without hugepages: it replays the capture the build generated
# (build/demo/capture.pcap), filters it against the real 66k takedown list and writes what each
# port sends to build/demo/client-side.pcap and build/demo/resolver-side.pcap. A summary of what
# was blocked and how follows, then takedownctl explains a few of the verdicts.
set -euo pipefail
build=${1:-build}
bin="$build/bin"
out="$build/demo"
if [[ "$build" != build ]]; then
  echo "note: conf/demo.yaml reads and writes build/demo/; building it in $build changes nothing there" >&2
fi

echo "== takedownctl compile -c conf/demo.yaml   (the snapshot takedownd starts from)"
"$bin/takedownctl" compile -c conf/demo.yaml | tail -n 3

echo
echo "== takedownd -c conf/demo.yaml --exit-when-idle 500"
"$bin/takedownd" -c conf/demo.yaml --exit-when-idle 500 > "$out/stats.json"

echo
python3 scripts/demo_summary.py --capture "$out/capture.pcap" --client "$out/client-side.pcap" \
  --resolver "$out/resolver-side.pcap" --stats "$out/stats.json"

echo
echo "== why: takedownctl check -c conf/demo.yaml NAME...   (name, verdict, list, source:line)"
"$bin/takedownctl" check -c conf/demo.yaml \
  login.0ffice-microsoftoutlook8dfqftq1gy4om.com \
  WWW.02-Apple-Intelligence27.Site. \
  002mmmm024jan.z13.web.core.windows.net \
  www.google.com
