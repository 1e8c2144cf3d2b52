# Sourced by scripts/test-tornadovm (and the launcher's --backend tornadovm): finds a TornadoVM SDK and
# exports TORNADOVM_HOME (the SDK directory holding tornado-argfile) and TORNADOVM_ARGFILE.
# Order: $TORNADOVM_HOME; the SDK behind a `tornado` on PATH; the SDK under a source build at
# $TORNADOVM_SRC (the SDK its build's setvars.sh names). Exits 3 with one line when none is found. Needs JAVA_HOME (scripts/java-env.sh).
pg_tornado_sdk_ok() { [ -n "${1:-}" ] && [ -f "$1/tornado-argfile" ]; }
pg_find_tornado_sdk() {
  local cand
  if pg_tornado_sdk_ok "${TORNADOVM_HOME:-}"; then echo "$TORNADOVM_HOME"; return 0; fi
  if command -v tornado >/dev/null 2>&1; then
    cand="$(cd "$(dirname "$(readlink -f "$(command -v tornado)")")/.." && pwd)"
    if pg_tornado_sdk_ok "$cand"; then echo "$cand"; return 0; fi
  fi
  if [ -n "${TORNADOVM_SRC:-}" ] && [ -f "$TORNADOVM_SRC/setvars.sh" ]; then
    cand="$(unset TORNADOVM_HOME; source "$TORNADOVM_SRC/setvars.sh" >/dev/null 2>&1; echo "${TORNADOVM_HOME:-}")"
    if pg_tornado_sdk_ok "$cand"; then echo "$cand"; return 0; fi
  fi
  return 1
}
if ! PG_TORNADO_SDK=$(pg_find_tornado_sdk); then
  echo "TornadoVM is not installed: set TORNADOVM_HOME to a TornadoVM SDK (the directory with tornado-argfile; see docs/tornadovm.md) (TORNADOVM_HOME=${TORNADOVM_HOME:-unset})." >&2
  exit 3
fi
export TORNADOVM_HOME="$PG_TORNADO_SDK"
export TORNADOVM_ARGFILE="$TORNADOVM_HOME/tornado-argfile"
