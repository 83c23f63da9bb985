#!/usr/bin/env bash
# `idml train` and `idml classify train` spell the flags they share alike: an
# option of one whose names include another's first name (the spelling the
# help shows first) has that same first name. The reference code's spellings
# stay accepted as aliases (`idml train --LOG_DIR`, `--sz-batch`, ...).
# Usage: shared_flags.sh IDML
set -u
idml="$1"
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # $work, check, finish

# One line per option of a subcommand's help: its names, comma-separated, first name first.
option_names() {
  "$idml" "$@" --help | awk '$1 ~ /^--/ { print $1 }' | sed 's/[ =].*//'
}
option_names train > "$work/train"
option_names classify train > "$work/classify"
check "train's help lists options" test -s "$work/train"
check "classify train's help lists options" test -s "$work/classify"

first_name_of() {  # first_name_of NAME FILE: the first name of FILE's option that has NAME
  awk -F, -v name="$1" '{ for (i = 1; i <= NF; ++i) if ($i == name) { print $1; exit } }' "$2"
}
shared=0
compare() {  # compare FROM TO: every option of FROM that TO has under FROM's first name
  while IFS= read -r names; do
    local first="${names%%,*}" other
    other=$(first_name_of "$first" "$2")
    [ -z "$other" ] && continue
    shared=$((shared + 1))
    check "$first is spelled $other in the other command's help" test "$other" = "$first"
  done < "$1"
}
compare "$work/train" "$work/classify"
compare "$work/classify" "$work/train"
check "the two commands share flags ($shared)" test "$shared" -ge 30
# The reference code's spellings of `idml train` still parse.
check "train accepts --LOG_DIR" bash -c "'$idml' train --LOG_DIR x --help > /dev/null"
check "train accepts --sz-batch" bash -c "'$idml' train --sz-batch 4 --help > /dev/null"
finish shared_flags
