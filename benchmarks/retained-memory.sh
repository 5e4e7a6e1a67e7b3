#!/usr/bin/env bash
# Heap retained per open tracked response body: RetainedPerBody opens N JDK HttpClient bodies and keeps them, with and
# without the agent (leakStacks=never, i.e. no origin stacks); the difference of the per-body heap growth is the
# agent's cost per tracked body (target: ≤ 200 bytes). Serial GC and full collections keep the heap figure exact.
# Usage: benchmarks/retained-memory.sh [bodies, default 20000] [runs, default 3]   (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
RUNS=${2:-3}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
AGENT=$PWD/agent/target/forensics.jar
CP="$PWD/benchmarks/target/forensics-benchmarks.jar:$PWD/benchmarks/target/lib/*"
OUT=$(mktemp -d /tmp/forensics-mem.XXXXXX)
. benchmarks/bench-server.sh
start_bench_server /body
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
per() { "$JAVA" -XX:+UseSerialGC -Xmx1g "$@" -cp "$CP" dev.forensics.benchmarks.RetainedPerBody "$URL" "$N" | awk '{print $7}'; }
: >"$OUT/none"; : >"$OUT/agent"
for ((i = 0; i < RUNS; i++)); do
  per >>"$OUT/none"
  per -javaagent:"$AGENT"=dir="$OUT/dir",leakStacks=never >>"$OUT/agent"
done
n=$(median <"$OUT/none"); a=$(median <"$OUT/agent")
echo "$("$JAVA" -version 2>&1 | head -1); $N open bodies, median of $RUNS runs"
awk -v n="$n" -v a="$a" 'BEGIN { printf "bytes per open body: %.1f without the agent, %.1f with it: %.1f bytes retained per tracked body\n", n, a, a - n }'
