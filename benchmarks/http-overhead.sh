#!/usr/bin/env bash
# Throughput of a loopback request loop (bodies read and closed) without the agent, with it at the default stack
# sampling, and with leakStacks=always, for the JDK HttpClient, HttpURLConnection, Apache HttpClient 5 and OkHttp.
# The server runs in its own JVM without the agent; client runs alternate (none, default, always, none, …) so drift
# hits all three alike; prints the median req/s of each and the median over rounds of each round's ratio to "none"
# (targets: ≥ 98 % default, ≥ 90 % always), and the median CPU time per request of the whole client process, which
# a busy machine disturbs less.
# Each run first waits for the agent's installer thread, then warms up with at least the measured number of requests
# and on until the JIT is quiet (HttpLoop: three chunks in a row with under 2 % compile time), then measures three
# segments and reports their medians: steady state. One-off costs are start-up (benchmarks/startup.sh); on JDK 17 one
# of them is the code cache sweeper's flush of cold code, which comes seconds earlier with the agent (it has compiled
# more) and then has the JDK HttpClient's big asynchronous methods recompiled — with a fixed warm-up it landed inside
# the measured part in agent runs only, and decided the ratio.
# Usage: benchmarks/http-overhead.sh [runs per variant, default 5] [requests, default 20000] [clients…]
#        (after mvn -B -DskipTests package; JAVA_HOME picks the JDK; ALWAYS=0 leaves out the stacks-always variant,
#        for more rounds of none/default in the same time)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
REQUESTS=${2:-20000}
shift 2 2>/dev/null || shift $#
CLIENTS=("${@:-jdk urlconnection apache5 okhttp}")
read -r -a CLIENTS <<<"${CLIENTS[*]}"
WARMUP=${WARMUP:-$REQUESTS} # the minimum; HttpLoop goes on until the JIT is quiet
ALWAYS=${ALWAYS:-1}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
AGENT=$PWD/agent/target/forensics.jar
CP="$PWD/benchmarks/target/forensics-benchmarks.jar:$PWD/benchmarks/target/lib/*"
[[ -f $AGENT && -f benchmarks/target/forensics-benchmarks.jar ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-http.XXXXXX)

. benchmarks/bench-server.sh
start_bench_server /v1/answer

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rate() { "$JAVA" "$@" -cp "$CP" dev.forensics.benchmarks.HttpLoop "$client" "$URL" "$REQUESTS" "$WARMUP" 2>/dev/null | awk '{print $2, $4}'; }

echo "$("$JAVA" -version 2>&1 | head -1); $(nproc) cores; median of 3 segments of $REQUESTS requests after ≥ $WARMUP warm-up (until the JIT is quiet), $RUNS alternating runs per variant"
printf '%-14s %10s %10s %7s %10s %7s   %18s   %s\n' client "none req/s" "default" "ratio" "always" "ratio" "cpu-us/req n/d/a" "default/always ratio per round"
for client in "${CLIENTS[@]}"; do
  none=$OUT/$client.none; default=$OUT/$client.default; always=$OUT/$client.always
  for ((i = 0; i < RUNS; i++)); do
    rate >>"$none"
    rate -javaagent:"$AGENT"=dir="$OUT/dir" >>"$default"
    # a skipped variant is recorded as 0 req/s and printed as "-"
    if [[ $ALWAYS == 0 ]]; then echo "0 0" >>"$always"; else rate -javaagent:"$AGENT"=dir="$OUT/dir",leakStacks=always >>"$always"; fi
  done
  n=$(cut -d' ' -f1 "$none" | median); d=$(cut -d' ' -f1 "$default" | median); a=$(cut -d' ' -f1 "$always" | median)
  cn=$(cut -d' ' -f2 "$none" | median); cd=$(cut -d' ' -f2 "$default" | median); ca=$(cut -d' ' -f2 "$always" | median)
  # The ratio is the median over rounds of each round's own ratio: the machine drifts by ±10 % between rounds on 2
  # shared cores, and the three runs of one round (none, default, always, back to back) drift together.
  rd=$(paste -d' ' "$none" "$default" | awk '{print 100*$3/$1}' | median)
  ra=$(paste -d' ' "$none" "$always" | awk '{print 100*$3/$1}' | median)
  rounds=$(paste -d' ' "$none" "$default" "$always" | awk '{printf "%s%.0f/%s", (NR > 1 ? " " : ""), 100*$3/$1, ($5 > 0 ? sprintf("%.0f", 100*$5/$1) : "-")}')
  awk -v c="$client" -v n="$n" -v d="$d" -v a="$a" -v cn="$cn" -v cd="$cd" -v ca="$ca" -v rd="$rd" -v ra="$ra" -v rounds="$rounds" \
    'BEGIN { as = a > 0 ? sprintf("%10.0f", a) : sprintf("%10s", "-"); ras = a > 0 ? sprintf("%6.1f%%", ra) : sprintf("%7s", "-")
             cas = a > 0 ? sprintf("%5.1f", ca) : sprintf("%5s", "-")
             printf "%-14s %10.0f %10.0f %6.1f%% %s %s   %6.1f/%5.1f/%s   %s\n", c, n, d, rd, as, ras, cn, cd, cas, rounds }'
done
echo "(ratios: median over rounds of each round's with/without; req/s and CPU: medians per variant; runs in $OUT)"
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
