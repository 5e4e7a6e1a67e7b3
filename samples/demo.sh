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

run() { # name, main class, args…   (env: OPTS=more agent options; PIPE="head -n 3" pipes stdout into a reader)
  local name=$1 main=$2 status; shift 2
  echo "== $name${PIPE:+ (stdout piped into: $PIPE)}"
  set +e
  if [[ -n ${PIPE:-} ]]; then
    "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name"${OPTS:+,$OPTS} -cp samples/target/forensics-samples.jar "$main" "$@" | $PIPE
    status=${PIPESTATUS[0]}
  else
    "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name"${OPTS:+,$OPTS} -cp samples/target/forensics-samples.jar "$main" "$@"
    status=$?
  fi
  echo "(exit status $status)"
  set -e
  echo "-- what forensics wrote in $OUT/$name:"
  cat "$OUT/$name"/journal-*.log 2>/dev/null | grep -v ' agent ' || echo "(nothing)"
  for f in "$OUT/$name"/last-words-*; do [[ -f $f ]] && { echo "-- $f"; cat "$f"; }; done
  echo
}

run library-exit dev.forensics.samples.LibraryExit
OPTS=pipeLoopWindow=1s run broken-pipe-loop dev.forensics.samples.WriterAfterPeerVanished
PIPE="head -n 3" run stdout-reader-gone dev.forensics.samples.StdoutReaderGone
