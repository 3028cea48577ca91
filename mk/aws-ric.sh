#!/usr/bin/env bash
# Installs AWS's Node.js Runtime Interface Client (aws-lambda-ric) from the npm
# registry for make test-peers: each VERSION into DIR/ric-VERSION, side by side
# (its native part builds curl and aws-lambda-cpp from source, minutes each), with
# the Debian packages that build needs. A version already installed is kept.
set -euo pipefail
. "$(dirname "$0")/install.sh"
ME=aws-ric

usage() {
  cat <<'EOF'
Usage: mk/aws-ric.sh DIR VERSION...
Installs aws-lambda-ric VERSION into DIR/ric-VERSION (npm registry), building
its native client; prints each package's directory. Needs node and npm; installs
autoconf, automake, libtool, cmake, make, g++ and python3 when missing (root).
Each install's output is in DIR/ric-VERSION/install.log.
  -h, --help   show this help
EOF
}

case "${1:-}" in -h | --help) usage; exit 0 ;; esac
[ $# -ge 2 ] || { echo "$ME: expected DIR and at least one VERSION (see --help)" >&2; exit 2; }
dir=$1
shift
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "$ME: needs node and npm (Node.js 20 or newer)" >&2
  exit 1
fi

declare -A tool_pkg=( [autoconf]=autoconf [automake]=automake [libtoolize]=libtool
  [cmake]=cmake [make]=make [g++]=g++ [python3]=python3 )
missing=()
for t in "${!tool_pkg[@]}"; do
  command -v "$t" >/dev/null || missing+=("${tool_pkg[$t]}")
done
install_packages "$ME" "${missing[@]}"

# installed VERSION: the package's directory when its native client is built.
installed() {
  local pkg=$dir/ric-$1/node_modules/aws-lambda-ric
  [ -f "$pkg/package.json" ] && [ -n "$(find "$pkg" -name rapid-client.node -print -quit)" ] &&
    echo "$pkg"
}

pids=() versions=()
for v in "$@"; do
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$ME: not a version: '$v'" >&2; exit 2; }
  installed "$v" >/dev/null && continue
  mkdir -p "$dir/ric-$v"
  echo "$ME: installing aws-lambda-ric@$v into $dir/ric-$v (a few minutes)" >&2
  # --ignore-scripts=false: the native client is built by the package's own
  # install scripts; the engines check only warns (4.x asks for Node 22).
  npm install --prefix "$dir/ric-$v" --no-save --no-package-lock --no-audit --no-fund \
    --ignore-scripts=false "aws-lambda-ric@$v" >"$dir/ric-$v/install.log" 2>&1 &
  pids+=($!) versions+=("$v")
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" ||
    { echo "$ME: installing ${versions[$i]} failed (see $dir/ric-${versions[$i]}/install.log)" >&2; exit 1; }
done
for v in "$@"; do
  installed "$v" || { echo "$ME: $v installed without its native client (see $dir/ric-$v/install.log)" >&2; exit 1; }
done
