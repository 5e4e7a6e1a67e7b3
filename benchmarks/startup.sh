#!/usr/bin/env bash
# Start-up latency: wall time of `java Hello` with no agent, with an empty-premain agent, and with forensics, on each
# JDK. Runs alternate (none, empty, forensics, none, …) so drift hits all three alike, then prints medians and the
# difference forensics - empty, which the start-up target (≤ 30 ms) is about. Hello ends as soon as main returns, so
# any start-up step the agent defers past that escapes this figure: it is how long a short command waits, not what
# the agent costs. What the agent costs a JVM that lives past every start-up step is benchmarks/idle.sh.
# Usage: benchmarks/startup.sh [runs per variant, default 21]   (after mvn -B -DskipTests package)
# BASELINE=/path/to/an/older/forensics.jar adds that jar as a fourth variant in the same alternation, so a change to
# premain is measured against the build before it under the same machine state (which moves these figures by 30 %).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-21}
AGENT=$PWD/agent/target/forensics.jar
EMPTY=$PWD/benchmarks/target/forensics-benchmarks-empty-agent.jar
CP=$PWD/benchmarks/target/forensics-benchmarks.jar
[[ -f $AGENT && -f $EMPTY && -f $CP ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-startup.XXXXXX)
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }

printf '%-28s %10s %10s %10s %16s\n' "JDK" "none ms" "empty ms" "forensics" "forensics-empty"
for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  : >"$OUT/none"; : >"$OUT/empty"; : >"$OUT/forensics"; : >"$OUT/baseline"
  for _ in 1 2 3; do "$J" -cp "$CP" dev.forensics.benchmarks.Hello >/dev/null; done # warm the page cache
  for ((i = 0; i < RUNS; i++)); do
    ms "$J" -cp "$CP" dev.forensics.benchmarks.Hello >>"$OUT/none"
    ms "$J" -javaagent:"$EMPTY" -cp "$CP" dev.forensics.benchmarks.Hello >>"$OUT/empty"
    ms "$J" -javaagent:"$AGENT"=dir="$OUT/dir-${jdk##*/}-$i" -cp "$CP" dev.forensics.benchmarks.Hello >>"$OUT/forensics"
    if [[ -n ${BASELINE:-} ]]; then
      ms "$J" -javaagent:"$BASELINE"=dir="$OUT/dir-${jdk##*/}-b$i" -cp "$CP" dev.forensics.benchmarks.Hello >>"$OUT/baseline"
    fi
  done
  n=$(median <"$OUT/none"); e=$(median <"$OUT/empty"); f=$(median <"$OUT/forensics")
  awk -v v="$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)" -v n="$n" -v e="$e" -v f="$f" \
    'BEGIN { printf "%-28s %10.1f %10.1f %10.1f %+16.1f\n", v, n/1000, e/1000, f/1000, (f-e)/1000 }'
  if [[ -n ${BASELINE:-} ]]; then
    b=$(median <"$OUT/baseline")
    awk -v b="$b" -v e="$e" 'BEGIN { printf "%-28s %32.1f %+16.1f\n", "  baseline jar", b/1000, (b-e)/1000 }'
  fi
done
echo "($RUNS alternating runs per variant; medians of wall time; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
