#!/usr/bin/env bash
# Makes sure the build's Debian packages are installed, then writes the compiler and
# linker flags that pkg-config reports into the make fragment named by $1.
# Called by the Makefile before anything else, so `make` alone works on a fresh
# Debian 12 machine: as root it installs what is missing, otherwise it prints the
# one command that would.
set -euo pipefail
out=${1:?usage: mk/deps.sh OUTPUT.mk}

pc_modules="libmicrohttpd libcurl sqlite3 jansson libcrypto cmocka"
# pkg-config module -> Debian package
declare -A pkg_of=(
  [libmicrohttpd]=libmicrohttpd-dev [libcurl]=libcurl4-openssl-dev
  [sqlite3]=libsqlite3-dev [jansson]=libjansson-dev [libcrypto]=libssl-dev
  [cmocka]=libcmocka-dev
)
# tool -> Debian package (tools the build, tests or benchmarks call)
declare -A tool_pkg=( [cc]=gcc [pkg-config]=pkg-config [gnuplot]=gnuplot-nox [taskset]=util-linux )

missing=()
for t in "${!tool_pkg[@]}"; do
  command -v "$t" >/dev/null 2>&1 || missing+=("${tool_pkg[$t]}")
done
for m in $pc_modules; do
  if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$m"; then
    missing+=("${pkg_of[$m]}")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "deps: missing packages; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

{
  echo "# written by mk/deps.sh; delete it to check the packages again"
  echo "PKG_CFLAGS := $(pkg-config --cflags $pc_modules)"
  echo "PKG_LIBS := $(pkg-config --libs libmicrohttpd libcurl sqlite3 jansson libcrypto)"
  echo "CMOCKA_LIBS := $(pkg-config --libs cmocka)"
} > "$out.tmp"
mv "$out.tmp" "$out"
