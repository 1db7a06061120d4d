#!/usr/bin/env bash
# `npm ci && npm run validate` as on a fresh machine, every output line timestamped: a fresh clone
# of REPO at REF into a temp folder, with empty npm, Go build, Go module and gate tool caches
# (npm_config_cache, GOCACHE, GOMODCACHE, GITOPS_TOOLS_CACHE all point into that folder), output
# not a terminal (as in CI). Prints the timeline and the gaps of 10 s or more (tools/bin/timestamps.js).
# Builds kustomize, kubeconform, opa and helm cold: minutes on 2 cores. Needs the network (the npm
# registry, the Go module proxy). Usage: tools/bin/fresh-machine.sh [REPO [REF]] (default: this
# repository, HEAD). The temp folder is removed afterwards unless KEEP=1.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="${1:-$(cd "$here/../.." && pwd)}"
ref="${2:-HEAD}"
work="$(mktemp -d "${TMPDIR:-/tmp}/gitops-fresh-XXXXXX")"
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; return; fi
  chmod -R u+w "$work" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/npm" "$work/go-build" "$work/go-mod" "$work/tools"
git clone -q --no-checkout "$repo" "$work/repo" && git -C "$work/repo" checkout -q "$(git -C "$repo" rev-parse "$ref")" || exit 2
cd "$work/repo" || exit 2
export npm_config_cache="$work/npm" GOCACHE="$work/go-build" GOMODCACHE="$work/go-mod" GITOPS_TOOLS_CACHE="$work/tools"
{
  echo "fresh clone of $repo at $(git rev-parse --short HEAD), empty caches under $work"
  npm ci && npm run validate
  echo "exit $?"
} 2>&1 </dev/null | node "$here/timestamps.js"
