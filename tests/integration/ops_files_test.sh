#!/usr/bin/env bash
# The operations files parse with the tools that will read them: the systemd units with
# `systemd-analyze verify` (ExecStart pointed at this build's binaries, which must exist), the
# logrotate file with `logrotate --debug` (a dry run). Exit 77 (skip) when a tool is missing.
# usage: ops_files_test.sh SOURCE_DIR BIN_DIR WORK_DIR
set -euo pipefail
source_dir=$1 bin_dir=$2 work=$3
for tool in systemd-analyze logrotate; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool is missing (scripts/install-deps.sh installs it)"; exit 77; }
done
rm -rf "$work" && mkdir -p "$work/units"
for unit in "$source_dir"/conf/systemd/*.service; do
  sed "s|/usr/local/bin|$bin_dir|g" "$unit" > "$work/units/$(basename "$unit")"
done
systemd-analyze verify --man=no "$work"/units/*.service
echo "systemd units verify: $(ls "$work"/units | tr '\n' ' ')"
sed "s|/var/log/takedown|$work/log|g" "$source_dir/conf/logrotate/takedown" > "$work/logrotate.conf"
mkdir -p "$work/log" && echo '{}' > "$work/log/events.json"
logrotate --debug --state "$work/logrotate.state" "$work/logrotate.conf" 2>&1 | tee "$work/logrotate.out" | tail -3
if grep -qi "error" "$work/logrotate.out"; then echo "FAIL: logrotate reports errors"; exit 1; fi
echo "logrotate: parses, rotates $work/log/events.json"
