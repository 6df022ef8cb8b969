#!/usr/bin/env bash
# Compare two mdash binaries' `status --json` byte for byte:
#   scripts/compare-status.sh OLD_BINARY NEW_BINARY
# on every tree under tests/fixtures/ and on generated trees of 10 and 1,000
# milestones (scripts/gen-tree.py). Exits 1 on the first difference, with
# the diff. Used to prove a refactoring changed no output.
set -euo pipefail
old=$1 new=$2
cd "$(dirname "$0")/.."
now=2026-11-22T10:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trees=()
while IFS= read -r d; do trees+=("$d"); done < <(
  find tests/fixtures -type d \( -name .milestones -o -name .milestone_bundles \) -prune -printf '%h\n' | sort -u)
for n in 10 1000; do
  python3 scripts/gen-tree.py "$work/gen-$n" "$n"
  trees+=("$work/gen-$n")
done
fail=0
for t in "${trees[@]}"; do
  a=$("$old" status --json --now "$now" "$t" 2>/dev/null | sed "s#$(cd "$t" && pwd)#ROOT#g" || true)
  b=$("$new" status --json --now "$now" "$t" 2>/dev/null | sed "s#$(cd "$t" && pwd)#ROOT#g" || true)
  if [ "$a" != "$b" ]; then
    echo "DIFFERENT: $t"
    diff <(echo "$a") <(echo "$b") | head -40
    fail=1
  else
    echo "same: $t ($(echo "$a" | wc -c) bytes)"
  fi
done
exit $fail
