#!/usr/bin/env bash
# Attach pause: `forensics attach` to a JVM with ≥ 10,000 loaded classes (benchmarks' LoadedService), on each JDK.
# Every retransformation is a RedefineClasses VM operation at a safepoint: the application stops for its whole length,
# and HotSpot walks every loaded class inside it. The target logs each safepoint (-Xlog:safepoint) and each class
# redefined (-Xlog:redefine+class+load); this script prints every RedefineClasses operation (classes, time at the
# safepoint, total with reaching it), then per JDK the count, the maximum and the sum, and how long attach took.
# Target (overhead issue): ≤ 100 ms per retransformation batch.
# Usage: benchmarks/attach-pause.sh [runs per JDK, default 3] [generated classes, default 10000]
#        (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
CLASSES=${2:-10000}
CLI=$PWD/attach-cli/target/forensics
CP=$PWD/benchmarks/target/forensics-benchmarks.jar
[[ -x $CLI && -f $PWD/agent/target/forensics.jar && -f $CP ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-attachpause.XXXXXX)
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")
target=""
trap '[[ -n $target ]] && kill "$target" 2>/dev/null; true' EXIT

# Safepoint lines of RedefineClasses, each with the number of "redefined name=" lines logged since the previous
# safepoint (they are logged inside the operation, the safepoint summary right after it).
ops() {
  awk '/redefined name=/ { n++ }
       /Safepoint "/ { if ($0 ~ /Safepoint "RedefineClasses"/) {
                         match($0, /At safepoint: [0-9]+/); at = substr($0, RSTART + 14, RLENGTH - 14)
                         match($0, /Total: [0-9]+/); tot = substr($0, RSTART + 7, RLENGTH - 7)
                         printf "%d %.2f %.2f\n", n, at / 1e6, tot / 1e6 }
                       n = 0 }' "$1"
}

for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
  : >"$OUT/ops-$v"; : >"$OUT/attach-$v"
  for ((r = 1; r <= RUNS; r++)); do
    log=$OUT/safepoints-$v-$r.log
    "$J" -XX:+EnableDynamicAgentLoading -Xlog:safepoint=info,redefine+class+load=info:file="$log":uptime \
      -cp "$CP" dev.forensics.benchmarks.LoadedService "$CLASSES" 8 600 >"$OUT/target-$v-$r.out" 2>&1 &
    target=$!
    for _ in $(seq 600); do grep -q '^ready' "$OUT/target-$v-$r.out" && break; sleep 0.1; done
    loaded=$(awk '/^ready/ { print $2 }' "$OUT/target-$v-$r.out")
    [[ -n $loaded ]] || { echo "target did not start on $v:"; cat "$OUT/target-$v-$r.out"; exit 1; }
    sleep 2 # let start-up JIT and GC settle
    s=$(date +%s%N)
    # attach returns once the agent's self-check is in: its whole installation, retransformations included.
    FORENSICS_JAVA=$J "$CLI" attach "$target" dir="$OUT/dir-$v-$r" >"$OUT/attach-$v-$r.out" 2>&1 \
      || { echo "attach failed on $v:"; cat "$OUT/attach-$v-$r.out"; exit 1; }
    e=$(date +%s%N)
    sleep 1
    kill "$target"; wait "$target" 2>/dev/null || true; target=""
    installed=$(grep -o 'installed in [0-9]* ms' "$OUT/attach-$v-$r.out" | grep -o '[0-9]*' || echo '?')
    echo "$(( (e - s) / 1000000 )) $installed" >>"$OUT/attach-$v"
    echo "JDK $v run $r: $loaded classes loaded; attach $(( (e - s) / 1000000 )) ms end to end (agent installation $installed ms)"
    ops "$log" | while read -r n at tot; do
      printf '    RedefineClasses  %3d classes  at safepoint %7.2f ms  total %7.2f ms\n' "$n" "$at" "$tot"
      echo "$n $at $tot" >>"$OUT/ops-$v"
    done
  done
  awk -v v="$v" -v runs="$RUNS" '
    { c++; cls += $1; if ($2 > m) m = $2; if ($3 > mt) mt = $3; sum += $2; sumt += $3 }
    END { printf "JDK %s: %.1f RedefineClasses operations per attach (%.1f classes), max %.2f ms at safepoint (%.2f ms with reaching it), per attach %.2f ms (%.2f ms) in all\n",
          v, c / runs, cls / runs, m, mt, sum / runs, sumt / runs }' "$OUT/ops-$v"
  sort -n "$OUT/attach-$v" | awk '{ a[NR] = $1; b[NR] = $2 } END { printf "JDK %s: attach end to end, median %d ms (agent installation %s ms)\n", "'"$v"'", a[int((NR + 1) / 2)], b[int((NR + 1) / 2)] }'
done
echo "($RUNS runs per JDK, $CLASSES generated classes in 8 loaders plus the JDK's; $(nproc) cores; logs in $OUT)"
