#!/usr/bin/env bash
# The doctor against copies of real machines (agent/src/test/resources/environments): a JVM started with nohup from an
# SSH session (session-146.scope, cgroup v2), and one run by aiproxy.service with Restart=on-failure and
# SuccessExitStatus=143. envRoot= makes the agent read /proc, /sys/fs/cgroup and /etc/systemd under the fixture.
# Usage: samples/doctor-fixtures.sh [output dir]     (from the repository root, after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
AGENT="$PWD/agent/target/forensics.jar"
CP="$PWD/samples/target/forensics-samples.jar"
ENVS="$PWD/agent/src/test/resources/environments"
[[ -f $AGENT && -f $CP ]] || mvn -B -q -DskipTests package
OUT="${1:-$(mktemp -d /tmp/forensics-doctor.XXXXXX)}"

doctor() { # name, fixture, env assignments…
  local name=$1 fixture=$2; shift 2
  echo "== doctor on $fixture"
  env "$@" "$JAVA" -javaagent:"$AGENT"=dir="$OUT/$name",envRoot="$ENVS/$fixture",log=stderr,blackbox=off \
    -cp "$CP" dev.forensics.samples.OrdersService 3
  echo "-- journal:"
  grep -h ' doctor ' "$OUT/$name"/journal-*.log | cut -c1-400
  echo
}

doctor nohup-ssh session-v2
doctor restart-on-failure systemd-v2 INVOCATION_ID=0f1e2d3c4b5a69788796a5b4c3d2e1f0
