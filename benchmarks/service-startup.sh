#!/usr/bin/env bash
# A real service: the Spring Boot 3 web app of benchmarks/spring-service, started with `java -jar` alternately with no
# agent, an empty-premain agent and forensics with its defaults. Per run: time from launch to the first HTTP 200 of
# /report (which calls /items on the same server through the JDK HttpClient) and the process's CPU up to then; then
# 20 s of light load (/report, 10 requests a second on one connection), after which the CPU since launch, the CPU
# of the load phase and peak RSS (VmHWM) are read and the JVM is stopped with SIGTERM (classes loaded: the JVM's
# counters, saved at exit). Prints medians (min–max) per JDK, deltas against no agent and against the empty agent,
# and PASS/FAIL against the budget: first 200 within +3 % of no agent, CPU to it within +5 %.
# Takes about 25 s per run: 5 runs of 3 variants on 2 JDKs is some 13 minutes.
# Usage: benchmarks/service-startup.sh [runs per variant, default 5] [seconds of load, default 20] [requests/s, default 10]
#        (after mvn -B -DskipTests package; builds benchmarks/spring-service with Maven when its jar is missing, which
#        needs Maven Central once; JDK17=/JDK25= pick the JDKs, JDKS="/one/jdk" runs just that one)
# AGENT=/path/to/forensics.jar measures another build; BASELINE=/path/to/an/older/forensics.jar adds that jar with its
# defaults as a fourth variant in the same alternation; JAVA_OPTS (e.g. "-Xmx512m") go to every variant's JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SECS=${2:-20}
RATE=${3:-10}
AGENT=${AGENT:-$PWD/agent/target/forensics.jar}
EMPTY=$PWD/benchmarks/target/forensics-benchmarks-empty-agent.jar
[[ -f $AGENT && -f $EMPTY ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
APP=$PWD/benchmarks/spring-service/target/spring-service.jar
if [[ ! -f $APP ]]; then
  mvn -B -q -f benchmarks/spring-service/pom.xml package >&2 || { echo "could not build $APP" >&2; exit 2; }
fi
PROCSTAT=$PWD/benchmarks/procstat.py
read -r -a JDKS <<<"${JDKS:-${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64} ${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}}"
OUT=$(mktemp -d /tmp/forensics-service.XXXXXX)
VARIANTS=(none empty defaults)
[[ -n ${BASELINE:-} ]] && VARIANTS+=(baseline)

agent_args() { # variant, dir -> the JVM options for it
  case $1 in
    none) ;;
    empty) echo "-javaagent:$EMPTY" ;;
    defaults) echo "-javaagent:$AGENT=dir=$2" ;;
    baseline) echo "-javaagent:$BASELINE=dir=$2" ;;
  esac
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
  cat "$APP" "$AGENT" "$EMPTY" >/dev/null # warm the page cache
  for ((i = 0; i < RUNS; i++)); do
    for variant in "${VARIANTS[@]}"; do
      port=$(free_port)
      url=http://127.0.0.1:$port/report
      dir=$OUT/dir-$v-$variant-$i
      # shellcheck disable=SC2046,SC2086 # agent_args is one word or none, JAVA_OPTS a list of options
      line=$(python3 "$PROCSTAT" service "$OUT/perf" "$url" "$url" "$SECS" "$RATE" "$OUT/stdout-$v-$variant-$i" -- \
        "$J" ${JAVA_OPTS:-} $(agent_args $variant "$dir") -XX:+PerfDataSaveToFile -XX:PerfDataSaveFile="$OUT/perf" \
        -jar "$APP" --server.port="$port" --server.address=127.0.0.1)
      echo "$v $variant $line" >>"$OUT/figures"
      if [[ $variant == defaults || $variant == baseline ]] && ! grep -qs 'hooks active' "$dir"/journal-*.log; then
        echo "warning: JDK $v, $variant run $i: the agent had not listed its hooks when the JVM ended (see $dir)" >&2
      fi
    done
  done
done
[[ -f $OUT/figures ]] || exit 1
echo "against no agent:"
python3 "$PROCSTAT" summary "$OUT/figures" none defaults,baseline first200_ms:3% cpu200_ms:5%
echo
echo "against the empty agent:"
python3 "$PROCSTAT" summary "$OUT/figures" empty none | grep -E '^[0-9]|^  (defaults|baseline) − '
echo "(Spring Boot service; $RUNS alternating runs per variant, $SECS s of load at $RATE requests/s; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); raw figures and service output in $OUT)"
