# Sourced by mk/deps.sh and mk/bench-tools.sh: installs missing Debian packages.
# install_packages WHO PACKAGE...: as root with apt-get, installs them; otherwise
# prints the one command that would and exits 1. Nothing to do without packages.
install_packages() {
  local who=$1
  shift
  [ $# -eq 0 ] && return 0
  local pkgs
  mapfile -t pkgs < <(printf '%s\n' "$@" | sort -u)
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$who: installing ${pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
  else
    echo "$who: missing packages; run: sudo apt-get install ${pkgs[*]}" >&2
    exit 1
  fi
}
