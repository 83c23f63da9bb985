#!/usr/bin/env bash
# Rewrites costs.cmake from a build's own ctest timings: every test that took
# at least MIN_SECONDS (default 3) on average, with that average as its COST.
#   tests/schedule/update_costs.sh BUILD_DIR [MIN_SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$1/Testing/Temporary/CTestCostData.txt"
min="${2:-3}"
[ -f "$data" ] || { echo "update_costs.sh: no $data (run ctest in $1 first)" >&2; exit 2; }
{
  echo "# Average seconds of the tests that take at least ${min} s (tests/schedule/update_costs.sh"
  echo "# wrote it from a Release build's ctest timings on the 2-core development machine; the"
  echo "# relative order matters, not the values). A test missing here starts after these."
  # CTestCostData.txt: \"name runs average_seconds\" lines, then \"---\" and the failed tests.
  awk -v min="$min" '$1 == "---" { exit } NF == 3 && $3 >= min { printf "%.0f %s\n", $3, $1 }' "$data" |
    sort -k1,1nr -k2 | while read -r seconds name; do
      escaped=${name//\\/\\\\}
      escaped=${escaped//\"/\\\"}
      echo "set_tests_properties(\"$escaped\" PROPERTIES COST $seconds)"
    done
} > "$here/costs.cmake"
echo "wrote $here/costs.cmake ($(grep -c set_tests_properties "$here/costs.cmake") tests)"
