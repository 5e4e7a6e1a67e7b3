#!/usr/bin/env bash
# Paired, turn-taking version of http-overhead.sh (HttpTurns): per client, one JVM per variant — no agent, the agent
# with default settings, no agent again (the noise floor), and with ALWAYS=1 the agent with leakStacks=always — each
# warmed up until its JIT is quiet and kept alive; then in every turn each JVM runs the same number of requests, one
# at a time, order reversed every other turn. Ratios are medians over all turns of the variant's rate over the first
# variant's rate in the same turn, with a 95 % confidence interval of that median; "cpu" is the CPU time per request
# summed over the client JVM's threads (nanosecond clocks) and its median ratio; "alloc" the calling thread's bytes
# allocated per request (exact). The whole is repeated with fresh JVMs INSTANCES times and the turns pooled, since
# each JVM keeps its own JIT decisions.
# Usage: benchmarks/http-turns.sh [requests per turn, default 4000] [turns, default 12] [clients…]
#        (after mvn -B -DskipTests package; JAVA_HOME picks the JDK; INSTANCES (default 3); WARMUP (default 20000);
#        EXTRA='name=agent-options …' adds agent variants, e.g. EXTRA='never=leakStacks=never noleaks=leaks=off';
#        SAME_JVM='name=change …' adds segments of the default variant's JVM with a change, off=<features> or
#        stacks=<leakStacks setting>, e.g. SAME_JVM='leaksoff=off=leaks never=stacks=never': what the difference costs
#        measured within one JVM)
set -euo pipefail
cd "$(dirname "$0")/.."
PER_TURN=${1:-4000}
TURNS=${2:-12}
shift 2 2>/dev/null || shift $#
CLIENTS=("${@:-jdk urlconnection apache5 okhttp}")
read -r -a CLIENTS <<<"${CLIENTS[*]}"
INSTANCES=${INSTANCES:-3}
WARMUP=${WARMUP:-20000}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
AGENT=$PWD/agent/target/forensics.jar
CP="$PWD/benchmarks/target/forensics-benchmarks.jar:$PWD/benchmarks/target/lib/*"
[[ -f $AGENT && -f benchmarks/target/forensics-benchmarks.jar ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-turns.XXXXXX)

. benchmarks/bench-server.sh
start_bench_server /v1/answer
VARIANTS=("none=" "default=-javaagent:$AGENT=dir=$OUT/dir" "none-again=")
[[ ${ALWAYS:-0} == 1 ]] && EXTRA="always=leakStacks=always ${EXTRA:-}"
for extra in ${EXTRA:-}; do
  VARIANTS+=("${extra%%=*}=-javaagent:$AGENT=dir=$OUT/dir,${extra#*=}")
done
for change in ${SAME_JVM:-}; do
  VARIANTS+=("${change%%=*}=@default ${change#*=}")
done

echo "$("$JAVA" -version 2>&1 | head -1); $(nproc) cores; $INSTANCES × $TURNS turns of $PER_TURN requests per variant, after ≥ $WARMUP warm-up"
for client in "${CLIENTS[@]}"; do
  "$JAVA" -cp "$CP" dev.forensics.benchmarks.HttpTurns "$client" "$URL" "$PER_TURN" "$TURNS" "$INSTANCES" "$WARMUP" "${VARIANTS[@]}"
done
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
