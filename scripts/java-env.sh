# Sourced by the scripts: sets JAVA_HOME to a JDK 25 or later and puts it first on PATH.
# Order: $JAVA_HOME if it is a JDK >= 25, else the newest JDK >= 25 among the system's installed JDKs.
pg_java_major() {  # the JDK's release file is read without starting a JVM; else ask the JVM
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$1/release" | head -1)
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
  echo "$v"
}
pg_find_jdk() {
  local cand major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(pg_java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
  fi
  for cand in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home 2>/dev/null | sort -rV); do
    [ -x "$cand/bin/javac" ] || continue
    major=$(pg_java_major "$cand")
    if [ "${major:-0}" -ge 25 ] 2>/dev/null; then echo "$cand"; return 0; fi
  done
  return 1
}
if ! PG_JDK=$(pg_find_jdk); then
  echo "paligemma4j needs a JDK 25 or later: none found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm, /opt/java, ~/.sdkman). Install Temurin 25 and set JAVA_HOME." >&2
  exit 3
fi
export JAVA_HOME="$PG_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "paligemma4j needs Apache Maven 3.8+ on PATH to build (e.g. apt-get install maven)." >&2
  exit 3
fi
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
