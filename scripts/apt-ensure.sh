# Sourced by the test scripts: apt_ensure WHO PACKAGE... installs Debian packages a test needs where they are
# missing (as root, with apt-get; `apt-get update` once if the first try fails). Returns 0 when installed,
# else 1 with the reason in APT_ENSURE_WHY.
apt_ensure() {
  local who="$1" log
  shift
  APT_ENSURE_WHY=""
  if [ "$(id -u)" != 0 ]; then APT_ENSURE_WHY="installing $* needs root"; return 1; fi
  if ! command -v apt-get >/dev/null; then APT_ENSURE_WHY="$* not installed and there is no apt-get"; return 1; fi
  echo "$who: installing $* with apt-get..."
  log="$(mktemp)"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$log" 2>&1 ||
     { apt-get update -q >>"$log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$log" 2>&1; }; then
    rm -f "$log"
    return 0
  fi
  APT_ENSURE_WHY="apt-get install $*: $(tail -1 "$log")"
  rm -f "$log"
  return 1
}
