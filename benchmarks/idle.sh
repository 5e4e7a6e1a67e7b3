#!/usr/bin/env bash
# The agent's fixed cost, whole process: a JVM that sleeps 2.5 s (Idle; long enough to outlive every start-up step of
# the agent, deferred ones included), run alternately with no agent, an empty-premain agent, forensics with its
# defaults and forensics with every feature off. Per run: CPU (user + sys of every thread, from wait4), peak RSS
# (ru_maxrss) and classes loaded (the JVM's counters, saved at exit). Prints medians (min–max) per JDK and the deltas
# against the empty agent, with PASS/FAIL against the budget: ≤ +100 ms CPU, ≤ +12 MiB peak RSS, ≤ +400 classes.
# Usage: benchmarks/idle.sh [runs per variant, default 10] [seconds idle, default 2.5]
#        (after mvn -B -DskipTests package; JDK17=/JDK25= pick the JDKs, JDKS="/one/jdk" runs just that one)
# OFF= overrides the options of the "off" variant; AGENT=/path/to/forensics.jar measures another build;
# BASELINE=/path/to/an/older/forensics.jar adds that jar with its defaults as a fifth variant in the same alternation;
# JAVA_OPTS (e.g. "-Xmx64m") go to every variant's JVM.
# Each forensics run's journal must list its hooks ("hooks active") by the time the JVM ends: a run that ended
# before is left out of the medians and counted (a figure that a deferred step escapes is not a figure); if that
# happens often, give the JVM more seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
SECS=${2:-2.5}
AGENT=${AGENT:-$PWD/agent/target/forensics.jar}
EMPTY=$PWD/benchmarks/target/forensics-benchmarks-empty-agent.jar
CP=$PWD/benchmarks/target/forensics-benchmarks.jar
[[ -f $AGENT && -f $EMPTY && -f $CP ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
PROCSTAT=$PWD/benchmarks/procstat.py
OFF=${OFF:-termination=off,terminationLog=off,blackbox=off,doctor=off,commands=off,pipes=off,stdstreams=off,leaks=off,healthPeriod=off,log=off}
read -r -a JDKS <<<"${JDKS:-${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64} ${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}}"
OUT=$(mktemp -d /tmp/forensics-idle.XXXXXX)
VARIANTS=(none empty defaults off)
[[ -n ${BASELINE:-} ]] && VARIANTS+=(baseline)

agent_args() { # variant, dir -> the JVM options for it
  case $1 in
    none) ;;
    empty) echo "-javaagent:$EMPTY" ;;
    defaults) echo "-javaagent:$AGENT=dir=$2" ;;
    off) echo "-javaagent:$AGENT=dir=$2,$OFF" ;;
    baseline) echo "-javaagent:$BASELINE=dir=$2" ;;
  esac
}

for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
  for _ in 1 2; do "$J" -cp "$CP" dev.forensics.benchmarks.Idle 0 >/dev/null; done # warm the page cache
  for ((i = 0; i < RUNS; i++)); do
    for variant in "${VARIANTS[@]}"; do
      dir=$OUT/dir-$v-$variant-$i
      # shellcheck disable=SC2046,SC2086 # agent_args is one word or none, JAVA_OPTS a list of options
      line=$(python3 "$PROCSTAT" run "$OUT/perf" -- "$J" ${JAVA_OPTS:-} $(agent_args $variant "$dir") \
        -XX:+PerfDataSaveToFile -XX:PerfDataSaveFile="$OUT/perf" -cp "$CP" dev.forensics.benchmarks.Idle "$SECS")
      if [[ $variant != none && $variant != empty ]] && ! grep -qs 'hooks active' "$dir"/journal-*.log; then
        line="$line escaped=1" # see the summary's "left out"; the run's directory stays in $OUT
      fi
      echo "$v $variant $line" >>"$OUT/figures"
    done
  done
done
[[ -f $OUT/figures ]] || exit 1
python3 "$PROCSTAT" summary "$OUT/figures" empty defaults,off,baseline cpu_ms:100 rss_mib:12 classes:400
echo "(idle ${SECS} s; $RUNS alternating runs per variant; off = $OFF; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); raw figures in $OUT/figures)"
