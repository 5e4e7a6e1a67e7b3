#!/usr/bin/env bash
# Whole-process cost of the failure path: N writes to a loopback peer that reset the connection and went away, each
# failing and caught (BrokenPipeWrites), through a Socket stream and a SocketChannel, without and with forensics (and
# with a second build of the agent when BEFORE= names one). Runs alternate (none, forensics[, before], none, …) so
# drift hits all alike. Each run waits for the agent's hooks, warms up with 50,000 failing writes, idles 1 s, then
# measures N. Prints medians per failed write of the writing thread's CPU time (user + system: the failure path
# itself, the steadiest figure on a busy machine), of the whole process's CPU time over the loop (the agent's other
# threads, GC and JIT included) and of wall time, each with its difference to no agent; and the median CPU seconds
# of the whole process from start to exit (/usr/bin/time).
# Usage: benchmarks/broken-pipe.sh [runs per variant, default 7] [failing writes per run, default 500000]
#        BEFORE=<other forensics.jar> adds that build; OPTIONS=<agent options> adds options.  (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
WRITES=${2:-500000}
AGENT=${AGENT:-$PWD/agent/target/forensics.jar}
CP=$PWD/benchmarks/target/forensics-benchmarks.jar
[[ -f $AGENT && -f $CP ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-broken-pipe.XXXXXX)
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")
VARIANTS=(none forensics)
[[ -n ${BEFORE:-} ]] && VARIANTS+=(before)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One run appends the program's line to $OUT/<variant> and "<user+sys s> <wall s>" of the whole process to .process.
run() {
  local variant=$1 api=$2 i=$3 jar=
  case $variant in forensics) jar=$AGENT ;; before) jar=$BEFORE ;; esac
  local args=(-cp "$CP")
  if [[ -n $jar ]]; then
    local d="$OUT/dir-$variant-$api-$i"
    args=(-javaagent:"$jar"=dir="$d"${OPTIONS:+,$OPTIONS} -Dbench.agentDir="$d" "${args[@]}")
  fi
  /usr/bin/time -f '%U %S %e' -o "$OUT/time" "$J" "${args[@]}" dev.forensics.benchmarks.BrokenPipeWrites "$api" "$WRITES" \
    >>"$OUT/$variant" 2>>"$OUT/$variant.stderr"
  awk '{printf "%.2f %.2f\n", $1 + $2, $3}' "$OUT/time" >>"$OUT/$variant.process"
}

printf '%-8s %-8s %-10s %22s %22s %22s %10s\n' "JDK" "api" "variant" "thread cpu µs/write" "process cpu µs/write" \
  "wall µs/write" "process s"
for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
  for api in socket channel; do
    for f in "${VARIANTS[@]}"; do : >"$OUT/$f"; : >"$OUT/$f.process"; done
    for ((i = 0; i < RUNS; i++)); do
      for f in "${VARIANTS[@]}"; do run "$f" "$api" "$i"; done
    done
    # BrokenPipeWrites prints: api <wall> us-wall/write <cpu> us-cpu/write <thread> us-thread-cpu/write (...)
    nt=$(awk '{print $6}' "$OUT/none" | median); nc=$(awk '{print $4}' "$OUT/none" | median); nw=$(awk '{print $2}' "$OUT/none" | median)
    for f in "${VARIANTS[@]}"; do
      t=$(awk '{print $6}' "$OUT/$f" | median); c=$(awk '{print $4}' "$OUT/$f" | median); w=$(awk '{print $2}' "$OUT/$f" | median)
      p=$(awk '{print $1}' "$OUT/$f.process" | median)
      awk -v v="$v" -v a="$api" -v f="$f" -v t="$t" -v c="$c" -v w="$w" -v p="$p" -v nt="$nt" -v nc="$nc" -v nw="$nw" \
        'BEGIN { printf "%-8s %-8s %-10s %11.3f (%+7.3f) %11.3f (%+7.3f) %11.3f (%+7.3f) %10.2f\n", v, a, f, t, t - nt, c, c - nc, w, w - nw, p }'
    done
    for f in "${VARIANTS[@]}"; do
      echo "  $f thread cpu µs/write: $(awk '{printf "%s ", $6}' "$OUT/$f")"
    done
  done
done
echo "($RUNS alternating runs per variant, $WRITES failing writes each after 50000 warm-up; medians; forensics = $AGENT" \
  "${BEFORE:+; before = $BEFORE}; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); output in $OUT)"
