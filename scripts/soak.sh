#!/usr/bin/env bash
# Soak test: the demo workspace with simulated agents, left running for a
# while, sampling the dashboard process. Prints one CSV row per sample and a
# summary (first, last, max) at the end.
#
#   scripts/soak.sh [MINUTES] [INTERVAL_SECONDS]     (default 30 and 30)
#
# Needs tmux and jq. Uses a private tmux server and a private user config
# directory (for the demo's trust record); removes both when done. Whenever a
# simulated agent finishes, its milestone is reset to planned and a new run is
# started with `mdash run start`, so the agents never stop working.
set -euo pipefail

minutes=${1:-30}
interval=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${MDASH:-$here/target/release/mdash}
if [[ ! -x $bin ]]; then
    (cd "$here" && cargo build --release --quiet)
fi
work=$(mktemp -d /tmp/mdash-soak.XXXXXX)
export XDG_CONFIG_HOME=$work/config
mkdir -p "$XDG_CONFIG_HOME"
sock=mdash-soak-$$
ws=$work/demo

cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    # Stop whatever runs the demo left (the dashboard stops its own on q).
    if [[ -d $ws ]]; then
        for id in 2a 2d; do (cd "$ws" && "$bin" run stop "$id" >/dev/null 2>&1) || true; done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

tmux -L "$sock" new-session -d -x 100 -y 30 "$bin demo --dir $ws"
pid=
comm=$(basename "$bin" | cut -c1-15)
for _ in $(seq 100); do
    pane=$(tmux -L "$sock" list-panes -F '#{pane_pid}' 2>/dev/null || true)
    for p in $pane $(pgrep -P "${pane:-1}" 2>/dev/null || true); do
        if [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$comm" ]]; then pid=$p; fi
    done
    [[ -n $pid && -d $ws/.worktrees ]] && break
    sleep 0.1
done
[[ -n $pid ]] || { echo "soak: the dashboard did not start" >&2; exit 1; }
sleep 3 # let the first load and git refresh settle

sample() {
    local rss fds threads watches ticks
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
    fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
    watches=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | grep -c '^inotify wd:' || true)
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    echo "$1,$rss,$fds,$threads,$watches,$ticks"
}

# A fresh, planned milestone for the next lap of a simulated agent.
replan() {
    local id=$1 lap=$2 src
    src=$(cd "$ws" && "$bin" status --json . | jq -r --arg id "$id" '.milestones[] | select(.id == $id) | .source')
    [[ -n $src && $src != null ]] || return 0
    cat >"$ws/$src.soak-tmp" <<EOF
id: "$id"
title: "Soak lap $lap"
status: planned
dependencies:
  requires: ["1b"]
phases:
  design: {status: pending}
  spec: {status: pending}
  task: {status: pending}
  execute: {status: pending}
tasks:
  - {id: t1, title: First, status: pending}
  - {id: t2, title: Second, status: pending}
  - {id: t3, title: Third, status: pending}
EOF
    mv "$ws/$src.soak-tmp" "$ws/$src"
    (cd "$ws" && "$bin" run start "$id" >/dev/null 2>&1) || true
}

echo "elapsed_s,rss_kb,fds,threads,inotify_watches,cpu_ticks"
out=$work/samples.csv
start=$(date +%s)
end=$((start + minutes * 60))
lap=0
while :; do
    now=$(date +%s)
    [[ -d /proc/$pid ]] || { echo "soak: the dashboard exited" >&2; exit 1; }
    sample $((now - start)) | tee -a "$out"
    ((now >= end)) && break
    # Keep the agents busy: restart any whose run has ended.
    live=$(cd "$ws" && "$bin" status --json . | jq -r '.milestones[] | select(.run.state == "running") | .id')
    for id in 2a 2d; do
        if ! grep -qx "$id" <<<"$live"; then
            lap=$((lap + 1))
            replan "$id" "$lap"
        fi
    done
    sleep "$interval"
done
laps=$lap
events=$(cat "$ws"/.milestones/logs/*.jsonl 2>/dev/null | wc -l)
commits=$(cd "$ws" && git rev-list --all --count 2>/dev/null || echo "?")
echo
echo "soak: $minutes min, $laps restarted laps, $events events logged, $commits commits"
awk -F, 'NR == 1 {for (i = 2; i <= 5; i++) first[i] = $i}
         {for (i = 2; i <= 5; i++) { last[i] = $i; if ($i > max[i]) max[i] = $i }}
         END {split("rss_kb fds threads inotify_watches", n, " ");
              for (i = 2; i <= 5; i++) printf "%-16s first %-8s last %-8s max %s\n", n[i - 1], first[i], last[i], max[i]}' "$out"
# Leave the way a user would: q stops the demo's runs.
tmux -L "$sock" send-keys q
sleep 1
