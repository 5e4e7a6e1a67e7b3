#!/usr/bin/env bash
# Whole-process socket write throughput: 64 KB writes to a reading peer on loopback (SocketWriteLoop), through a
# Socket stream and a SocketChannel, without and with forensics. Runs alternate (none, forensics, none, …) so drift
# hits both alike; each run waits for the agent to finish installing, warms up 2 s, then measures. Prints medians of
# MB/s and of the writer thread's CPU µs per write, forensics relative to none (the pipes issue holds throughput to
# ≥ 99 %; on a busy machine the CPU cost per write is the steadier figure), and the writer thread's own allocation
# per write, which must be the same with the agent (the success path of the advice allocates nothing).
# Usage: benchmarks/socket-write.sh [runs per variant, default 7] [seconds per run, default 4]   (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
SECS=${2:-4}
AGENT=$PWD/agent/target/forensics.jar
CP=$PWD/benchmarks/target/forensics-benchmarks.jar
[[ -f $AGENT && -f $CP ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-socket-write.XXXXXX)
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '%-10s %-8s %10s %12s %7s %14s %16s %7s %12s %12s\n' "JDK" "api" "none MB/s" "forensics" "ratio" "none cpu µs/w" "forensics cpu" "ratio" "none B/w" "forensics B/w"
for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
  for api in socket channel; do
    : >"$OUT/none"; : >"$OUT/forensics"
    for ((i = 0; i < RUNS; i++)); do
      "$J" -cp "$CP" dev.forensics.benchmarks.SocketWriteLoop "$api" "$SECS" 2 >>"$OUT/none"
      d="$OUT/dir-$api-$i"
      "$J" -javaagent:"$AGENT"=dir="$d" -Dbench.agentDir="$d" -cp "$CP" dev.forensics.benchmarks.SocketWriteLoop "$api" "$SECS" 2 >>"$OUT/forensics"
    done
    n=$(awk '{print $2}' "$OUT/none" | median); f=$(awk '{print $2}' "$OUT/forensics" | median)
    nc=$(awk '{print $4}' "$OUT/none" | median); fc=$(awk '{print $4}' "$OUT/forensics" | median)
    na=$(awk '{print $6}' "$OUT/none" | sort -n | tail -1); fa=$(awk '{print $6}' "$OUT/forensics" | sort -n | tail -1)
    awk -v v="$v" -v a="$api" -v n="$n" -v f="$f" -v nc="$nc" -v fc="$fc" -v na="$na" -v fa="$fa" \
      'BEGIN { printf "%-10s %-8s %10.1f %12.1f %6.1f%% %14.2f %16.2f %6.1f%% %12.4f %12.4f\n", v, a, n, f, 100 * f / n, nc, fc, 100 * fc / nc, na, fa }'
    echo "  none MB/s:      $(awk '{printf "%s ", $2}' "$OUT/none")  cpu µs/write: $(awk '{printf "%s ", $4}' "$OUT/none")"
    echo "  forensics MB/s: $(awk '{printf "%s ", $2}' "$OUT/forensics")  cpu µs/write: $(awk '{printf "%s ", $4}' "$OUT/forensics")"
  done
done
echo "($RUNS alternating runs per variant, ${SECS} s each after 2 s warm-up; medians; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
