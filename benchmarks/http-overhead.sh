#!/usr/bin/env bash
# Throughput of a loopback request loop (bodies read and closed) without the agent, with it at the default stack
# sampling, and with leakStacks=always, for the JDK HttpClient, HttpURLConnection, Apache HttpClient 5 and OkHttp.
# The server runs in its own JVM without the agent; client runs alternate (none, default, always, none, …) so drift
# hits all three alike; prints the median req/s of each and the ratio to "none" (targets: ≥ 98 % default, ≥ 90 % always).
# Usage: benchmarks/http-overhead.sh [runs per variant, default 5] [requests, default 20000] [clients…]
#        (after mvn -B -DskipTests package; JAVA_HOME picks the JDK)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
REQUESTS=${2:-20000}
shift 2 2>/dev/null || shift $#
CLIENTS=("${@:-jdk urlconnection apache5 okhttp}")
read -r -a CLIENTS <<<"${CLIENTS[*]}"
WARMUP=$((REQUESTS / 4))
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
AGENT=$PWD/agent/target/forensics.jar
CP="$PWD/benchmarks/target/forensics-benchmarks.jar:$PWD/benchmarks/target/lib/*"
[[ -f $AGENT && -f benchmarks/target/forensics-benchmarks.jar ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-http.XXXXXX)

"$JAVA" -cp "$CP" dev.forensics.benchmarks.BenchServer >"$OUT/port" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do [[ -s $OUT/port ]] && break; sleep 0.1; done
URL="http://127.0.0.1:$(head -1 "$OUT/port")/v1/answer"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rate() { "$JAVA" "$@" -cp "$CP" dev.forensics.benchmarks.HttpLoop "$client" "$URL" "$REQUESTS" "$WARMUP" 2>/dev/null | awk '{print $2}'; }

echo "$("$JAVA" -version 2>&1 | head -1); $(nproc) cores; $REQUESTS requests after $WARMUP warm-up, $RUNS alternating runs per variant"
printf '%-14s %12s %12s %8s %12s %8s\n' client "none req/s" "default" "ratio" "always" "ratio"
for client in "${CLIENTS[@]}"; do
  : >"$OUT/none"; : >"$OUT/default"; : >"$OUT/always"
  for ((i = 0; i < RUNS; i++)); do
    rate >>"$OUT/none"
    rate -javaagent:"$AGENT"=dir="$OUT/dir" >>"$OUT/default"
    rate -javaagent:"$AGENT"=dir="$OUT/dir",leakStacks=always >>"$OUT/always"
  done
  n=$(median <"$OUT/none"); d=$(median <"$OUT/default"); a=$(median <"$OUT/always")
  awk -v c="$client" -v n="$n" -v d="$d" -v a="$a" \
    'BEGIN { printf "%-14s %12.0f %12.0f %7.1f%% %12.0f %7.1f%%\n", c, n, d, 100*d/n, a, 100*a/n }'
done
