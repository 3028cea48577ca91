#!/usr/bin/env bash
# Packages a function binary for AWS Lambda's provided.al2023 runtime (x86_64) as
# a deployment zip (make lambda-zip): bootstrap, bin/<binary>, lib/ with every
# shared object the binary loads except glibc's (the runtime has glibc 2.34 and
# nothing else), and the database in rollback-journal mode. Fails when the binary
# or a bundled library needs a glibc symbol version newer than 2.34.
set -euo pipefail
. "$(dirname "$0")/install.sh"
ME=lambda-zip
GLIBC_MAX=2.34 # Amazon Linux 2023's glibc

usage() {
  cat <<'EOF'
Usage: mk/lambda-zip.sh --binary FILE --db FILE --out ZIP
Packages FILE for AWS Lambda (provided.al2023) as ZIP:
  bootstrap            sets LD_LIBRARY_PATH to the task root's lib/ and
                       ARCHBENCH_DB to its app.db (unless the function's
                       configuration sets it), then runs bin/NAME, whatever
                       _HANDLER says
  bin/NAME             the binary
  lib/                 every shared object it loads but glibc's
  app.db               a copy of --db in rollback-journal mode (a read-only
                       task root cannot hold a WAL database's -shm file)
Fails (exit 1) when the binary or a library needs a glibc symbol version
newer than 2.34 (Amazon Linux 2023's).
  -h, --help   show this help
EOF
}

fail() { echo "$ME: $*" >&2; exit 1; }
binary="" db="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary|--db|--out)
      [ $# -ge 2 ] || { echo "$ME: $1 needs a value (see --help)" >&2; exit 2; }
      printf -v "${1#--}" '%s' "$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$ME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$binary" ] || [ -z "$db" ] || [ -z "$out" ]; then
  echo "$ME: --binary, --db and --out are required (see --help)" >&2
  exit 2
fi
[ -x "$binary" ] || fail "$binary: not an executable"
[ -f "$db" ] || fail "$db: no such database (bin/archbench seed writes one)"

missing=()
command -v zip >/dev/null || missing+=(zip)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v objdump >/dev/null || missing+=(binutils)
command -v unzip >/dev/null || missing+=(unzip) # checks the archive
install_packages "$ME" "${missing[@]}"

# glibc's own shared objects: provided by the runtime, never bundled.
is_glibc() {
  case "$(basename "$1")" in
    ld-linux*.so.* | libc.so.* | libm.so.* | libmvec.so.* | libpthread.so.* | libdl.so.* | \
      librt.so.* | libresolv.so.* | libutil.so.* | libanl.so.* | libnsl.so.* | \
      libBrokenLocale.so.* | libthread_db.so.* | libc_malloc_debug.so.* | libnss_*.so.*) return 0 ;;
  esac
  return 1
}

# The glibc versions FILE requires beyond GLIBC_MAX (ld.so's version references,
# which also name requirements without a symbol such as GLIBC_ABI_DT_RELR), each
# with the symbols that need it. Empty output: FILE runs on the runtime's glibc.
too_new() {
  objdump -p "$1" | awk -v max="$GLIBC_MAX" '
    /^Version References:/ { refs = 1; next }
    refs && /^[^ ]/ { refs = 0 }
    refs && $NF ~ /^GLIBC_/ {
      v = $NF; sub(/^GLIBC_/, "", v)
      if (v !~ /^[0-9]+(\.[0-9]+)*$/) { print $NF; next }
      split(v, a, "."); split(max, m, ".")
      if (a[1] + 0 > m[1] + 0 || (a[1] + 0 == m[1] + 0 && a[2] + 0 > m[2] + 0)) print $NF
    }' | sort -u | while read -r ver; do
      syms=$(objdump -T "$1" | awk -v v="$ver" '/\*UND\*/ && index($0, v) { printf "%s%s", sep, $NF; sep = ", " }')
      echo "$ver${syms:+ ($syms)}"
    done
}

# Every shared object the binary loads (ldd's closure; the loader has no "=>").
libraries() {
  ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/lambda-zip.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
name=$(basename "$binary")
cp "$binary" "$stage/bin/$name"

bad=""
check() {
  local need
  need=$(too_new "$1")
  [ -z "$need" ] || bad+="  $1 needs $(echo "$need" | paste -sd ';' | sed 's/;/; /g')"$'\n'
}
check "$binary"
bundled=0
while read -r lib; do
  is_glibc "$lib" && continue
  check "$lib"
  cp -L "$lib" "$stage/lib/$(basename "$lib")"
  bundled=$((bundled + 1))
done < <(libraries "$binary")
[ -z "$bad" ] || fail "needs a glibc newer than $GLIBC_MAX (Amazon Linux 2023's):"$'\n'"$bad"

# The database: an online backup (consistent even while another process has the
# WAL open), then out of WAL mode; the journal mode is read back to be sure.
sqlite3 "$db" ".backup '$stage/app.db'"
mode=$(sqlite3 "$stage/app.db" "PRAGMA journal_mode=DELETE;")
[ "$mode" = delete ] || fail "$db: the copy stayed in journal mode '$mode'"

cat >"$stage/bootstrap" <<EOF
#!/bin/sh
# AWS Lambda custom runtime entry point (provided.al2023): $name with the shared
# objects bundled in lib/ and the database bundled as app.db. _HANDLER names no
# code here; whatever it says, the one binary runs.
case \$0 in */*) here=\${0%/*} ;; *) here=. ;; esac
root=\${LAMBDA_TASK_ROOT:-\$here}
export LD_LIBRARY_PATH="\$root/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export ARCHBENCH_DB="\${ARCHBENCH_DB:-\$root/app.db}"
exec "\$root/bin/$name"
EOF
chmod 755 "$stage/bootstrap" "$stage/bin/$name"
chmod 644 "$stage/app.db" "$stage/lib/"*

# Fixed timestamps and no extra attributes: the same inputs give the same zip
# (so a deployment tool sees no change where there is none).
find "$stage" -exec touch -h -t 198001010000.00 {} +
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
(cd "$stage" && zip -q -X -r - bootstrap bin lib app.db) >"$out.tmp"
unzip -tq "$out.tmp" >/dev/null || fail "$out: the archive does not test clean"
mv "$out.tmp" "$out"
echo "$ME: $out ($(du -k "$out" | cut -f1) KiB; $bundled libraries in lib/, app.db in rollback-journal mode)"
