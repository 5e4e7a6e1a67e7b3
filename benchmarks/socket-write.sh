#!/usr/bin/env bash
# Whole-process socket write throughput: 64 KB writes to a reading peer on loopback (SocketWriteLoop), through a
# Socket stream and a SocketChannel, without and with forensics. Runs alternate (none, forensics, none, …) so drift
# hits both alike; each run waits for the agent to finish installing, warms up 2 s, then measures. Prints the
# medians and forensics/none, which the pipes issue holds to ≥ 99 %.
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
mbps() { "$@" | awk '{print $2}'; }

printf '%-14s %-8s %12s %14s %10s\n' "JDK" "api" "none MB/s" "forensics MB/s" "ratio"
for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
  for api in socket channel; do
    : >"$OUT/none"; : >"$OUT/forensics"
    for ((i = 0; i < RUNS; i++)); do
      mbps "$J" -cp "$CP" dev.forensics.benchmarks.SocketWriteLoop "$api" "$SECS" 2 >>"$OUT/none"
      d="$OUT/dir-$api-$i"
      mbps "$J" -javaagent:"$AGENT"=dir="$d" -Dbench.agentDir="$d" -cp "$CP" dev.forensics.benchmarks.SocketWriteLoop "$api" "$SECS" 2 >>"$OUT/forensics"
    done
    n=$(median <"$OUT/none"); f=$(median <"$OUT/forensics")
    awk -v v="$v" -v a="$api" -v n="$n" -v f="$f" 'BEGIN { printf "%-14s %-8s %12.1f %14.1f %9.1f%%\n", v, a, n, f, 100 * f / n }'
    echo "  none:      $(tr '\n' ' ' <"$OUT/none")"
    echo "  forensics: $(tr '\n' ' ' <"$OUT/forensics")"
  done
done
echo "($RUNS alternating runs per variant, ${SECS} s each after 2 s warm-up; medians; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
