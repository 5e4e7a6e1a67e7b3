#!/usr/bin/env bash
# A service killed with SIGKILL leaves no last words; the black box lets its restart say what happened.
# Starts OrdersService under the agent (heartbeat every second), kills it with kill -9 from this script, starts it
# again on the same output directory and prints the finding and the file the second run wrote.
# Usage: samples/sigkill-restart.sh [output dir]     (from the repository root, after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
AGENT="$PWD/agent/target/forensics.jar"
CP="$PWD/samples/target/forensics-samples.jar"
[[ -f $AGENT && -f $CP ]] || mvn -B -q -DskipTests package
OUT="${1:-$(mktemp -d /tmp/forensics-sigkill.XXXXXX)}"
mkdir -p "$OUT"

echo "-- first run: started, then killed with SIGKILL"
"$JAVA" -javaagent:"$AGENT"=dir="$OUT",heartbeat=1s -cp "$CP" dev.forensics.samples.OrdersService 600 &
PID=$!
for _ in $(seq 1 100); do [[ -f $OUT/black-box-$PID.txt ]] && grep -q '^heartbeats=2' "$OUT/black-box-$PID.txt" && break; sleep 0.1; done
kill -KILL "$PID"
set +e; wait "$PID"; echo "(exit status $?: killed by signal 9)"; set -e

echo "-- second run on the same directory"
"$JAVA" -javaagent:"$AGENT"=dir="$OUT",log=stderr -cp "$CP" dev.forensics.samples.OrdersService 3
echo "-- what forensics wrote in $OUT:"
grep -h 'blackbox' "$OUT"/journal-*.log || true
for f in "$OUT"/no-last-words-*.txt; do [[ -f $f ]] && { echo "-- $f"; sed -n '1,8p' "$f"; }; done
