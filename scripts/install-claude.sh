#!/usr/bin/env bash
# Installs the Claude Code CLI that the agent tests drive (tests/it/claude.rs)
# into a cache directory, once, and prints the directory holding `claude`.
#   MDASH_CLAUDE_PREFIX  where to install (default ~/.cache/mdash/claude)
#   MDASH_CLAUDE_VERSION the version to install (default the tested one)
# Idempotent: when the wanted version is already there, nothing is fetched.
set -euo pipefail

version="${MDASH_CLAUDE_VERSION:-2.1.197}"
prefix="${MDASH_CLAUDE_PREFIX:-$HOME/.cache/mdash/claude}"
bin="$prefix/node_modules/.bin"
pkg="$prefix/node_modules/@anthropic-ai/claude-code/package.json"

installed=""
if [ -f "$pkg" ]; then
  installed="$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$pkg" 2>/dev/null || true)"
fi

if [ "$installed" != "$version" ] || [ ! -x "$bin/claude" ]; then
  command -v npm >/dev/null || { echo "install-claude.sh: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
  mkdir -p "$prefix"
  # Quiet, no audit/fund chatter: the last line of stdout must be the bin dir.
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/claude-code@$version" >&2
fi

[ -x "$bin/claude" ] || { echo "install-claude.sh: $bin/claude missing after install" >&2; exit 1; }
echo "$bin"
