#!/usr/bin/env bash
# ctest in BUILD_DIR with JOBS, briefly: the summary when everything passes, and when something
# fails, the output of each failed test (which ctest --output-on-failure prints) as well. The whole
# log stays in BUILD_DIR/ctest.log.
# usage: scripts/ctest-brief.sh BUILD_DIR JOBS
set -u -o pipefail
dir=$1 jobs=$2
log="$dir/ctest.log"
if (cd "$dir" && ctest --output-on-failure -j "$jobs") > "$log" 2>&1; then
  tail -n 3 "$log"
  exit 0
fi
# Failed: everything but the passing tests' one-line progress, so each failure shows its output.
grep -v -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* +Passed +[0-9.]+ sec$|^ +Start +[0-9]+: ' "$log"
echo "(the whole ctest log: $log)"
exit 1
