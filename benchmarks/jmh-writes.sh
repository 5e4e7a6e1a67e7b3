#!/usr/bin/env bash
# JMH: the success path of instrumented writes (WriteBenchmark: 64 KB Socket and SocketChannel writes to a reading
# loopback peer, 128-byte FileOutputStream writes to /dev/null), without and with forensics, with -prof gc.
# Prints throughput per variant, forensics/none, and gc.alloc.rate.norm (bytes allocated per operation), which must
# be the same with the agent as without: the advice allocates nothing on success.
# Usage: benchmarks/jmh-writes.sh [extra JMH options, e.g. -f 1 -wi 2 -i 3]   (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
AGENT=$PWD/agent/target/forensics.jar
CP=$PWD/benchmarks/target/forensics-benchmarks.jar:$(ls "$PWD"/benchmarks/target/lib/*.jar | tr '\n' ':')
[[ -f $AGENT && -f ${CP%%:*} ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-jmh.XXXXXX)
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")

for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  J=$jdk/bin/java
  v=$("$J" -version 2>&1 | head -1 | cut -d'"' -f2)
  "$J" -cp "$CP" org.openjdk.jmh.Main WriteBenchmark -jvm "$J" -prof gc -rf csv -rff "$OUT/none-$v.csv" "$@" >"$OUT/none-$v.log" 2>&1
  "$J" -cp "$CP" org.openjdk.jmh.Main WriteBenchmark -jvm "$J" -prof gc -rf csv -rff "$OUT/forensics-$v.csv" \
    -jvmArgsAppend "-javaagent:$AGENT=dir=$OUT/dir -Dbench.agentDir=$OUT/dir" "$@" >"$OUT/forensics-$v.log" 2>&1
  echo "== JDK $v"
  printf '%-26s %14s %16s %8s %14s %16s\n' "benchmark" "none ops/s" "forensics ops/s" "ratio" "none B/op" "forensics B/op"
  awk -F, '
    { gsub(/"/, "") }
    FNR == 1 { variant = (FILENAME ~ /none-/) ? "n" : "f"; next }
    { split($1, p, "."); name = p[length(p)] }
    $1 !~ /:/ { score[variant, name] = $5; err[variant, name] = $6; names[name] = 1 }
    $1 ~ /:gc.alloc.rate.norm$/ { sub(/:.*/, "", name); alloc[variant, name] = $5 }
    END { for (b in names) printf "%-26s %14.0f %16.0f %7.1f%% %14.3f %16.3f\n", b, score["n", b], score["f", b],
            100 * score["f", b] / score["n", b], alloc["n", b], alloc["f", b] }' "$OUT/none-$v.csv" "$OUT/forensics-$v.csv"
done
echo "(JMH logs and CSV in $OUT; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
