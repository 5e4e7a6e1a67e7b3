#!/usr/bin/env bash
# Heartbeat and doctor overhead, whole process:
#  1. CpuLoop (one thread hashing for N seconds) with no agent, with forensics minus black box and doctor, with
#     forensics as shipped (heartbeat every 5 s) and with heartbeat=1s; runs alternate so drift hits all alike.
#  2. What the black box and doctor add to a JVM that lives past them: Idle for 2.5 s with forensics as shipped vs
#     blackbox=off,doctor=off, CPU and peak RSS of the whole process (medians of 11 alternating runs; see idle.sh).
#  3. BlackBoxWriteCost: the parts of one heartbeat, and in-place write vs writeAtomically.
# Usage: benchmarks/heartbeat.sh [runs, default 5] [seconds per CpuLoop run, default 10]  (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SECS=${2:-10}
J="${JAVA_HOME:+$JAVA_HOME/bin/}java"
AGENT=$PWD/agent/target/forensics.jar
CP=$PWD/benchmarks/target/forensics-benchmarks.jar
[[ -f $AGENT && -f $CP ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-heartbeat.XXXXXX)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A OPTS=([none]="" [agent-only]="=dir=$OUT/a,blackbox=off,doctor=off" [shipped]="=dir=$OUT/b" [heartbeat-1s]="=dir=$OUT/c,heartbeat=1s")
ORDER=(none agent-only shipped heartbeat-1s)
for v in "${ORDER[@]}"; do : >"$OUT/$v"; : >"$OUT/$v.cpu"; : >"$OUT/$v.box"; done
for ((i = 0; i < RUNS; i++)); do
  for v in "${ORDER[@]}"; do
    if [[ $v == none ]]; then line=$("$J" -cp "$CP" dev.forensics.benchmarks.CpuLoop "$SECS")
    else line=$("$J" -javaagent:"$AGENT${OPTS[$v]}" -cp "$CP" dev.forensics.benchmarks.CpuLoop "$SECS"); fi
    awk '{print $1}' <<<"$line" >>"$OUT/$v"; awk '{print $3}' <<<"$line" >>"$OUT/$v.cpu"; awk '{print $6}' <<<"$line" >>"$OUT/$v.box"
  done
done
base=$(median <"$OUT/none"); basecpu=$(median <"$OUT/none.cpu")
printf '%-14s %14s %9s %16s %9s %22s\n' "variant" "ops/s (wall)" "vs none" "ops/cpu-s" "vs none" "heartbeat thread CPU"
for v in "${ORDER[@]}"; do
  m=$(median <"$OUT/$v"); c=$(median <"$OUT/$v.cpu"); b=$(median <"$OUT/$v.box")
  awk -v v="$v" -v m="$m" -v b="$base" -v c="$c" -v bc="$basecpu" -v box="$b" -v secs="$SECS" \
    'BEGIN { printf "%-14s %14.0f %+8.2f%% %16.0f %+8.2f%% %14.0f µs/%ss\n", v, m, (m-b)*100/b, c, (c-bc)*100/bc, box, secs }'
done
echo "($RUNS alternating runs of ${SECS} s each per variant, after 2 s warm-up; $(nproc) cores; $("$J" -version 2>&1 | head -1))"
echo
: >"$OUT/idle"
v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
for ((i = 0; i < 11; i++)); do
  for variant in shipped:dir="$OUT/s1-$i" off:dir="$OUT/s2-$i",blackbox=off,doctor=off; do
    echo "$v ${variant%%:*} $(python3 benchmarks/procstat.py run "$OUT/perf" -- "$J" -javaagent:"$AGENT=${variant#*:}" \
      -XX:+PerfDataSaveToFile -XX:PerfDataSaveFile="$OUT/perf" -cp "$CP" dev.forensics.benchmarks.Idle 2.5)" >>"$OUT/idle"
  done
done
echo "Idle 2.5 s, shipped against blackbox=off,doctor=off:"
python3 benchmarks/procstat.py summary "$OUT/idle" off none
echo
"$J" -cp "$CP:$AGENT" dev.forensics.benchmarks.BlackBoxWriteCost "$OUT/cost"
