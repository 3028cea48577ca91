#!/usr/bin/env bash
# Installs the tools the benchmark scripts drive (wrk, nginx) when they are missing.
# Same policy as mk/deps.sh: apt-get as root, otherwise print the command.
set -euo pipefail
declare -A tool_pkg=( [wrk]=wrk [nginx]=nginx-light [taskset]=util-linux [curl]=curl [python3]=python3 [strace]=strace [perf]=linux-perf )
missing=()
for t in "$@"; do
  [ -n "${tool_pkg[$t]:-}" ] || { echo "bench-tools: unknown tool $t" >&2; exit 2; }
  command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || missing+=("${tool_pkg[$t]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bench-tools: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "bench-tools: missing tools; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
