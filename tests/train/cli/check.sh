# Sourced by the shell tests of the idml CLI (bash): a private work directory
# removed on exit, the pass/fail counters, check(), and finish(), whose status
# is the script's result.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }  # fail MESSAGE
check() {  # check DESCRIPTION COMMAND...: one result, passed when COMMAND succeeds
  local what="$1"; shift
  if "$@"; then pass; else fail "$what"; fi
}
finish() {  # finish NAME: the summary line; succeeds only when nothing failed
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
