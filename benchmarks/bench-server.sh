# Sourced by the HTTP benchmarks: starts BenchServer (no agent) in the background, stops it when the script exits,
# waits for its port, and sets URL to http://127.0.0.1:<port><path>. Needs JAVA, CP and OUT.
# Usage: start_bench_server /v1/answer
start_bench_server() {
  "$JAVA" -cp "$CP" dev.forensics.benchmarks.BenchServer >"$OUT/port" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null' EXIT
  for _ in $(seq 100); do [[ -s $OUT/port ]] && break; sleep 0.1; done
  URL="http://127.0.0.1:$(head -1 "$OUT/port")$1"
}
