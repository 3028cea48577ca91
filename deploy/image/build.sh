#!/usr/bin/env bash
# make image: one container image holding every program, built without a registry.
#   1. a Debian bookworm minbase root filesystem made once by debootstrap and cached
#      (CACHE/rootfs, CACHE/base.tar), imported as archbench-base:bookworm;
#   2. the runtime .debs the programs link against (found from their ELF NEEDED
#      entries), downloaded once with apt-get --download-only inside that root and
#      cached in CACHE/rootfs/var/cache/apt/archives;
#   3. docker build --network=none on build/image/ (Dockerfile, .debs, stripped bin/).
# Only steps 1 and 2 ever reach the Debian mirror, and only when the cache lacks
# something. CACHE is /var/cache/archbench unless ARCHBENCH_CACHE says otherwise.
# Usage: deploy/image/build.sh [TAG]   (default archbench:latest; needs a daemon:
# DOCKER_HOST, or deploy/dockerd.sh start)
set -euo pipefail
cd "$(dirname "$0")/../.."

TAG=${1:-archbench:latest}
BASE=archbench-base:bookworm
CACHE=${ARCHBENCH_CACHE:-/var/cache/archbench}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CTX=build/image
ROOT=$CACHE/rootfs
PROGRAMS="monolith auth-service profile-service gateway faas fn-get-profile loadgen archbench"
# the healthcheck's client
EXTRA_PKGS="curl"

say() { echo "image: $*" >&2; }
die() { echo "image: $*" >&2; exit 1; }

for p in $PROGRAMS; do [ -x "bin/$p" ] || die "bin/$p missing: run make first"; done
docker info >/dev/null 2>&1 || die "no Docker daemon (eval \"\$(deploy/dockerd.sh start)\")"

# 1. base root filesystem
if [ ! -f "$ROOT/.complete" ]; then
    command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"
    say "debootstrap bookworm minbase into $ROOT (once; ~45 s)"
    rm -rf "$ROOT.tmp" && mkdir -p "$CACHE"
    debootstrap --variant=minbase bookworm "$ROOT.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
        die "debootstrap failed, see $CACHE/debootstrap.log"
    # the same suites as the build machine, so the .debs match the libraries linked
    cat >"$ROOT.tmp/etc/apt/sources.list" <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
SRC
    touch "$ROOT.tmp/.complete"
    mv "$ROOT.tmp" "$ROOT"
fi
if [ ! -f "$CACHE/base.tar" ] || [ "$ROOT/.complete" -nt "$CACHE/base.tar" ]; then
    # what a container never needs: apt's lists and archives, docs, man pages, locales
    tar -C "$ROOT" --numeric-owner --exclude=./.complete --exclude='./var/cache/apt/*' \
        --exclude='./var/lib/apt/lists/*' --exclude='./usr/share/doc/*' \
        --exclude='./usr/share/man/*' --exclude='./usr/share/info/*' \
        --exclude='./usr/share/locale/*' -cf "$CACHE/base.tar.tmp" .
    mv "$CACHE/base.tar.tmp" "$CACHE/base.tar"
    docker rmi -f "$BASE" >/dev/null 2>&1 || true
fi
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    say "importing $CACHE/base.tar as $BASE"
    docker import "$CACHE/base.tar" "$BASE" >/dev/null
fi

# 2. runtime packages: the owners of the libraries the programs load directly
libs=$(for p in $PROGRAMS; do readelf -d "bin/$p"; done |
       sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
pkgs=$EXTRA_PKGS
ma=$(gcc -print-multiarch)
for l in $libs; do
    # /lib or /usr/lib: Debian 12 ships both layouts (usrmerge)
    owner=$(dpkg -S "/lib/$ma/$l" "/usr/lib/$ma/$l" 2>/dev/null | head -n 1 | cut -d: -f1) ||
        true
    [ -n "$owner" ] || die "no package owns $ma/$l"
    pkgs="$pkgs $owner"
done
pkgs=$(echo "$pkgs" | tr ' ' '\n' | sort -u | tr '\n' ' ')
plan() { chroot "$ROOT" apt-get install -s -y --no-install-recommends $pkgs 2>&1; }
if ! out=$(plan) || [ ! -d "$ROOT/var/lib/apt/lists/partial" ]; then
    say "apt-get update in $ROOT"
    chroot "$ROOT" apt-get update -qq >&2 || die "apt-get update failed"
    out=$(plan) || die "cannot resolve $pkgs: $out"
fi
# "Inst NAME (VERSION ...)": exactly the files this image needs, even when the
# cache also holds older versions
want=$(echo "$out" | awk '/^Inst /{v=$3; gsub(/[()]/,"",v); sub(/:/,"%3a",v); print $2"_"v}')
missing=0
for w in $want; do ls "$ROOT"/var/cache/apt/archives/"$w"_*.deb >/dev/null 2>&1 || missing=1; done
if [ $missing -eq 1 ]; then
    say "downloading the runtime .debs ($pkgs)"
    chroot "$ROOT" apt-get install --download-only -y -qq --no-install-recommends $pkgs >&2 ||
        die "apt-get --download-only failed"
fi

# 3. build context and image
rm -rf "$CTX" && mkdir -p "$CTX/debs" "$CTX/bin"
for w in $want; do cp "$ROOT"/var/cache/apt/archives/"$w"_*.deb "$CTX/debs/"; done
for p in $PROGRAMS; do strip -o "$CTX/bin/$p" "bin/$p"; done
cp deploy/image/Dockerfile "$CTX/"
say "docker build --network=none -t $TAG ($(ls "$CTX/debs" | wc -l) .debs)"
old=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null) || true
# (the daemon may be too old for BuildKit: the classic builder, whose deprecation
# notice is dropped unless the build fails)
docker build --network=none -q -t "$TAG" "$CTX" >"$CTX.log" 2>&1 ||
    die "docker build failed: $(grep -v -i 'deprecat\|buildx\|buildkit' "$CTX.log")"
# the legacy builder leaves the install stage and the replaced image untagged
docker image prune -f --filter label=archbench.stage=install >/dev/null
new=$(docker image inspect -f '{{.Id}}' "$TAG")
[ -z "$old" ] || [ "$old" = "$new" ] || docker rmi "$old" >/dev/null 2>&1 || true
size=$(docker image inspect -f '{{.Size}}' "$TAG")
say "built $TAG: $((size / 1000000)) MB"
