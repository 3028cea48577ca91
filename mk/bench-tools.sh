#!/usr/bin/env bash
# Installs the tools the benchmark scripts and the deployment targets (mk/deploy.mk)
# drive when they are missing; a name pkg-config knows stands for that library's -dev
# package. Same policy as mk/deps.sh (mk/install.sh): apt-get as root, otherwise print
# the command.
set -euo pipefail
. "$(dirname "$0")/install.sh"
declare -A tool_pkg=( [wrk]=wrk [nginx]=nginx-light [taskset]=util-linux [curl]=curl [python3]=python3 [strace]=strace [perf]=linux-perf
  [dockerd]=docker.io [debootstrap]=debootstrap [docker-compose]=docker-compose
  [iptables-legacy]=iptables [ip]=iproute2 [node]=nodejs [npm]=npm
  [libnetfilter_queue]=libnetfilter-queue-dev )
missing=()
for t in "$@"; do
  [ -n "${tool_pkg[$t]:-}" ] || { echo "bench-tools: unknown tool $t" >&2; exit 2; }
  command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
    pkg-config --exists "$t" 2>/dev/null || missing+=("${tool_pkg[$t]}")
done
install_packages bench-tools "${missing[@]}"
