#!/usr/bin/env bash
# Makes sure the build's Debian packages are installed, then writes the compiler and
# linker flags that pkg-config reports, one pair per library, into the make fragment
# named by $1 (so each program links only the libraries it uses).
# Called by the Makefile before anything else, so `make` alone works on a fresh
# Debian 12 machine: as root it installs what is missing, otherwise it prints the
# one command that would.
set -euo pipefail
out=${1:?usage: mk/deps.sh OUTPUT.mk}
. "$(dirname "$0")/install.sh"

# pkg-config module -> make variable prefix, Debian package
declare -A var_of=(
  [libmicrohttpd]=MHD [libcurl]=CURL [sqlite3]=SQLITE [jansson]=JANSSON [libcrypto]=CRYPTO
  [cmocka]=CMOCKA
)
declare -A pkg_of=(
  [libmicrohttpd]=libmicrohttpd-dev [libcurl]=libcurl4-openssl-dev
  [sqlite3]=libsqlite3-dev [jansson]=libjansson-dev [libcrypto]=libssl-dev
  [cmocka]=libcmocka-dev
)
# tool -> Debian package (tools the build, tests or benchmarks call)
declare -A tool_pkg=( [cc]=gcc [pkg-config]=pkg-config [gnuplot]=gnuplot-nox [taskset]=util-linux
                      [python3]=python3 )
modules="libmicrohttpd libcurl sqlite3 jansson libcrypto cmocka"

missing=()
for t in "${!tool_pkg[@]}"; do
  command -v "$t" >/dev/null 2>&1 || missing+=("${tool_pkg[$t]}")
done
for m in $modules; do
  if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$m"; then
    missing+=("${pkg_of[$m]}")
  fi
done
install_packages deps "${missing[@]}"

{
  echo "# written by mk/deps.sh; delete it to check the packages again"
  for m in $modules; do
    echo "${var_of[$m]}_CFLAGS := $(pkg-config --cflags "$m")"
    echo "${var_of[$m]}_LIBS := $(pkg-config --libs "$m")"
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
