#!/usr/bin/env bash
# Builds forensics and runs the sample incidents under the agent, printing what the agent wrote about each.
# Usage: samples/demo.sh            (from the repository root; set JAVA_HOME to pick the JDK)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [[ ! -f agent/target/forensics.jar || ! -f samples/target/forensics-samples.jar ]]; then
  mvn -B -q -DskipTests package
fi
AGENT="$PWD/agent/target/forensics.jar"
OUT="$(mktemp -d /tmp/forensics-demo.XXXXXX)"

run() { # name, main class, args…
  local name=$1 main=$2; shift 2
  echo "== $name"
  set +e
  "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name" -cp samples/target/forensics-samples.jar "$main" "$@"
  echo "(exit status $?)"
  set -e
  echo "-- what forensics wrote in $OUT/$name:"
  cat "$OUT/$name"/journal-*.log 2>/dev/null | grep -v ' agent ' || echo "(nothing)"
  for f in "$OUT/$name"/last-words-*; do [[ -f $f ]] && { echo "-- $f"; cat "$f"; }; done
  echo
}

run library-exit dev.forensics.samples.LibraryExit
run leaky-proxy dev.forensics.samples.LeakyProxy
run leaky-proxy-fixed dev.forensics.samples.LeakyProxy --fixed
