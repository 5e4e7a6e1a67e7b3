#!/usr/bin/env bash
# What `forensics report` costs, on both sides: wall time of the command (median), and what N requests leave in
# the target JVM (threads, open files, RSS, stderr lines), which must be nothing. The target starts without the
# agent; `forensics attach` loads it once, then every request goes through the request files.
# Usage: benchmarks/cli-requests.sh [requests, default 200]   (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
CLI=$PWD/attach-cli/target/forensics-cli.jar
CP=$PWD/benchmarks/target/forensics-benchmarks.jar
[[ -f $CLI && -f $CP && -f agent/target/forensics.jar ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
state() { # threads fds rss-kB stderr-lines
  echo "$(ls /proc/$1/task | wc -l) $(ls /proc/$1/fd | wc -l) $(awk '/VmRSS/ {print $2}' /proc/$1/status) $(wc -l <"$2")"
}

for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  OUT=$(mktemp -d /tmp/forensics-cli-bench.XXXXXX)
  "$J" -cp "$CP" dev.forensics.benchmarks.Idle 600 >"$OUT/stdout" 2>"$OUT/stderr" &
  PID=$!
  sleep 2
  before=$(state $PID "$OUT/stderr")
  attach=$(ms "$J" -jar "$CLI" attach $PID dir="$OUT/dir")
  attached=$(state $PID "$OUT/stderr")
  : >"$OUT/report"
  for ((i = 0; i < N; i++)); do ms "$J" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$CLI" report $PID >>"$OUT/report"; done
  after=$(state $PID "$OUT/stderr")
  list=$(ms "$J" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$CLI" list)
  echo "JDK $("$J" -version 2>&1 | head -1 | cut -d'"' -f2): attach $((attach / 1000)) ms; report median $(( $(median <"$OUT/report") / 1000 )) ms over $N; list $((list / 1000)) ms"
  echo "  target (threads fds rss-kB stderr-lines): before attach [$before], after attach [$attached], after $N reports [$after]"
  kill $PID; wait $PID 2>/dev/null || true
  rm -rf "$OUT"
done
echo "($(nproc) cores; the CLI runs as its own JVM each time, with the launcher's flags)"
