#!/usr/bin/env bash
# `make demo`: the main job on the embedded default (conf/demo.yaml). Until the data plane lands,
# that is: compile the real takedown list and the regex allowlist into a snapshot, then ask the
# matcher about names an operator would, and explain each verdict.
set -euo pipefail
build=${1:-build}
bin="$build/bin"
out="$build/demo"
mkdir -p "$out"

echo "== takedownctl compile -c conf/demo.yaml -o $out/demo.snap"
"$bin/takedownctl" compile -c conf/demo.yaml -o "$out/demo.snap"

echo
echo "== takedownctl check -s $out/demo.snap NAME...   (name, verdict, list, source:line)"
"$bin/takedownctl" check -s "$out/demo.snap" \
  0ffice-microsoftoutlook8dfqftq1gy4om.com \
  login.0ffice-microsoftoutlook8dfqftq1gy4om.com \
  002mmmm024jan.z13.web.core.windows.net \
  WWW.02-Apple-Intelligence27.Site. \
  adsarp.com \
  www.google.com \
  core.windows.net \
  "not a name"

echo
echo "== the same, explained as JSON, for a subdomain of a listed scam site"
"$bin/takedownctl" check --json -s "$out/demo.snap" support.0ffice-microsoftoutlook8dfqftq1gy4om.com

echo
echo "== 100,000 names from stdin (90% popular sites, 10% takedown domains), verdict counts"
awk 'NR % 10 == 0' conf/lists/takedown-66k.txt | head -n 6600 > "$out/names.txt"
head -n 50000 tests/data/top-50k.txt | sed 's/^/www./' >> "$out/names.txt"
head -n 43400 tests/data/top-50k.txt >> "$out/names.txt"
start=$(date +%s.%N)
"$bin/takedownctl" check -s "$out/demo.snap" - < "$out/names.txt" | cut -f2 | sort | uniq -c
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$(wc -l < "$out/names.txt")" \
  'BEGIN { printf "%d names in %.2f s (snapshot load, lookup and output)\n", n, e - s }'
