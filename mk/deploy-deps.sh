#!/usr/bin/env bash
# Installs the Debian packages a deployment target needs (as root, with apt-get;
# otherwise prints the one command that would), like mk/deps.sh does for the build.
#   mk/deploy-deps.sh image        docker.io, debootstrap
#   mk/deploy-deps.sh test-deploy  + docker-compose, iptables, iproute2,
#                                  libnetfilter-queue-dev
set -euo pipefail
declare -A tool_pkg=([dockerd]=docker.io [debootstrap]=debootstrap)
if [ "${1:-}" = test-deploy ]; then
    tool_pkg+=([docker-compose]=docker-compose [iptables-legacy]=iptables [ip]=iproute2)
fi
missing=()
for t in "${!tool_pkg[@]}"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("${tool_pkg[$t]}")
done
if [ "${1:-}" = test-deploy ] && ! pkg-config --exists libnetfilter_queue 2>/dev/null; then
    missing+=(libnetfilter-queue-dev)
fi
[ ${#missing[@]} -gt 0 ] || exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
    echo "deps: missing packages; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
