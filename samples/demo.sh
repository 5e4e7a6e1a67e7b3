#!/usr/bin/env bash
# Builds forensics and runs the sample incidents under the agent, printing what the agent wrote about each.
# Usage: samples/demo.sh            (from the repository root; set JAVA_HOME to pick the JDK)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [[ ! -f agent/target/forensics.jar || ! -f samples/target/forensics-samples.jar || ! -f samples/spring-proxy/target/spring-proxy.jar ]]; then
  mvn -B -q -DskipTests package
fi
AGENT="$PWD/agent/target/forensics.jar"
OUT="$(mktemp -d /tmp/forensics-demo.XXXXXX)"

run() { # name, main class, args…   (env: OPTS=more agent options; PIPE="head -n 3" pipes stdout into a reader)
  local name=$1 main=$2 status; shift 2
  echo "== $name${PIPE:+ (stdout piped into: $PIPE)}"
  set +e
  if [[ -n ${PIPE:-} ]]; then
    "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name"${OPTS:+,$OPTS} -cp samples/target/forensics-samples.jar "$main" "$@" | $PIPE
    status=${PIPESTATUS[0]}
  else
    "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name"${OPTS:+,$OPTS} -cp samples/target/forensics-samples.jar "$main" "$@"
    status=$?
  fi
  echo "(exit status $status)"
  set -e
  echo "-- what forensics wrote in $OUT/$name:"
  cat "$OUT/$name"/journal-*.log 2>/dev/null | grep -v ' agent ' || echo "(nothing)"
  for f in "$OUT/$name"/last-words-*; do [[ -f $f ]] && { echo "-- $f"; cat "$f"; }; done
  echo
}

run library-exit dev.forensics.samples.LibraryExit
OPTS=pipeLoopWindow=1s run broken-pipe-loop dev.forensics.samples.WriterAfterPeerVanished
PIPE="head -n 3" run stdout-reader-gone dev.forensics.samples.StdoutReaderGone

show() { # name: what forensics wrote for a sample run outside run()
  local name=$1
  echo "-- what forensics wrote in $OUT/$name:"
  cat "$OUT/$name"/journal-*.log 2>/dev/null | grep -v ' agent ' || echo "(nothing)"
  for f in "$OUT/$name"/last-words-*; do [[ -f $f ]] && { echo "-- $f"; cat "$f"; }; done
  echo
}

stop_by_deploy_script() { # pid: a deploy script stops the service with SIGTERM (the sender the last words name)
  local pid=$1
  printf '#!/bin/sh\n# deploy.sh: stops the running version before starting the new one\nkill -s TERM %s\nsleep 1\n' "$pid" >"$OUT/deploy.sh"
  chmod +x "$OUT/deploy.sh"
  "$OUT/deploy.sh"
  set +e
  wait "$pid"
  echo "(exit status $?)"
  set -e
}

run_killed_by_script() { # a service, and a deploy script that stops it with SIGTERM
  local name=killed-by-script
  echo "== $name"
  "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name" -cp samples/target/forensics-samples.jar dev.forensics.samples.KilledService &
  local pid=$!
  sleep 3 # a service is rarely stopped in its first second
  stop_by_deploy_script "$pid"
  show "$name"
}

run_terminal_hangup() { # a service on a pseudo-terminal whose terminal goes away, as on an SSH disconnect
  local name=terminal-hangup
  echo "== $name"
  python3 - "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name" -cp samples/target/forensics-samples.jar dev.forensics.samples.TerminalService <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
buf = b''
deadline = time.time() + 60
while b'READY' not in buf and time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            buf += os.read(fd, 65536)
        except OSError:
            break
sys.stdout.write(buf.decode(errors='replace').replace('\r', ''))
print("(closing the terminal, as an SSH disconnect does)")
os.close(fd)
_, st = os.waitpid(pid, 0)
print("(exit status %d)" % os.waitstatus_to_exitcode(st))
PY
  show "$name"
}

run_killed_by_script
run_terminal_hangup
run watchdog-halt dev.forensics.samples.WatchdogHalt

echo "== sigkill-restart (black box)"
samples/sigkill-restart.sh "$OUT/sigkill-restart"
echo
samples/doctor-fixtures.sh "$OUT/doctor"
run leaky-proxy dev.forensics.samples.LeakyProxy
run leaky-proxy-fixed dev.forensics.samples.LeakyProxy --fixed

run_spring_proxy() { # the API proxy as a Spring Boot fat jar: its error bodies leak; the findings land in its own log
  local name=spring-proxy port=18089 log="$OUT/spring-proxy/app.log"
  echo "== $name (java -jar spring-proxy.jar; the app's log is $log)"
  if ! command -v curl >/dev/null; then echo "(skipped: needs curl)"; echo; return; fi
  mkdir -p "$OUT/$name"
  PORT=$port "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name",leakHeldAfter=5s -jar samples/spring-proxy/target/spring-proxy.jar \
    --logging.file.name="$log" >"$OUT/$name/stdout.txt" 2>&1 &
  local pid=$! i
  for i in $(seq 1 120); do grep -q "Started ProxyApplication" "$log" 2>/dev/null && break; sleep 0.5; done
  for ep in proxy/resttemplate-urlconnection proxy/resttemplate-apache5 proxy/restclient-jdk proxy/jdk proxy/apache5 \
            proxy/urlconnection proxy/webclient ok/resttemplate ok/jdk-try-with-resources ok/apache5-consume \
            ok/urlconnection-disconnect ok/webclient; do
    for i in 1 2 3 4 5; do curl -s -o /dev/null "http://127.0.0.1:$port/$ep/overloaded"; done
  done
  "${JAVA%java}jcmd" "$pid" GC.run >/dev/null 2>&1 || true # the collector confirms what nobody can close any more
  sleep 7
  stop_by_deploy_script "$pid"
  echo "-- the forensics lines in the application's own log ($log):"
  grep ' forensics ' "$log" | cut -c1-400 || echo "(none)"
  for f in "$OUT/$name"/last-words-*; do [[ -f $f ]] && { echo "-- $f"; head -n 30 "$f"; }; done
  echo
}
run_spring_proxy
