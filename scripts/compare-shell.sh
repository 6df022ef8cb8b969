#!/usr/bin/env bash
# The milestone packs' dashboard reads every field with one yq process per
# field and milestone. This runs that approach beside `mdash status` on the
# same tree of N milestones (default 10) and prints both times and the ratio.
#   scripts/compare-shell.sh [N]
set -euo pipefail
n=${1:-10}
cd "$(dirname "$0")/.."
mdash=${MDASH:-target/release/mdash}
[ -x "$mdash" ] || cargo build --release --quiet
if ! command -v yq >/dev/null; then
  # Debian's yq (a jq wrapper), as the packs use it; installed when we can.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing yq with apt-get" >&2
    { apt-get update -qq && apt-get install -y -qq yq; } >/dev/null
  fi
  command -v yq >/dev/null || { echo "needs yq (apt-get install yq)"; exit 2; }
fi
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/.milestones/active"
for i in $(seq 1 "$n"); do
  cat > "$tree/.milestones/active/m$i.yaml" <<YAML
id: "m$i"
title: "Milestone $i"
status: in_progress
progress:
  percentage: $((i * 7 % 100))
tasks:
  - {id: t1, status: completed}
  - {id: t2, status: in_progress}
  - {id: t3, status: pending}
YAML
done
ns() { date +%s%N; }
t0=$(ns)
for f in "$tree"/.milestones/active/*.yaml; do
  # One process per field, as the packs' status command does.
  yq -r '.id' "$f" >/dev/null
  yq -r '.title' "$f" >/dev/null
  yq -r '.status' "$f" >/dev/null
  yq -r '.progress.percentage' "$f" >/dev/null
  yq -r '.tasks | length' "$f" >/dev/null
  yq -r '[.tasks[] | select(.status == "completed")] | length' "$f" >/dev/null
done
t1=$(ns)
runs=20
for _ in $(seq 1 $runs); do "$mdash" status "$tree" >/dev/null; done
t2=$(ns)
shell_ms=$(( (t1 - t0) / 1000000 ))
mdash_us=$(( (t2 - t1) / 1000 / runs ))
echo "shell (yq per field): ${shell_ms} ms for $n milestones"
echo "mdash status:         $((mdash_us / 1000)).$(printf '%03d' $((mdash_us % 1000))) ms (mean of $runs)"
echo "ratio:                $(( shell_ms * 1000 / (mdash_us > 0 ? mdash_us : 1) ))x"
