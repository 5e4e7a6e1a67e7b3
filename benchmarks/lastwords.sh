#!/usr/bin/env bash
# Time from `kill -TERM` to the last words forced to disk, on each JDK: median over N runs (target: <= 20 ms).
# Each run starts the KilledService sample under the agent, waits until the agent has finished starting (a service
# is rarely killed in its first second), sends SIGTERM from python3 noting the time, and adds two measured parts:
#   kill -> the shim's handler ran   (the "received:" time the native handler recorded, minus the kill time)
#   handler -> last words forced     (the agent's journal line "last words forced X ms after SIGTERM arrived":
#                                     the verdict and its cause; threads and feature state follow, also forced,
#                                     and the last column adds them)
# Usage: benchmarks/lastwords.sh [runs per JDK, default 21]   (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-21}
AGENT=$PWD/agent/target/forensics.jar
CP=$PWD/samples/target/forensics-samples.jar
[[ -f $AGENT && -f $CP ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-lastwords.XXXXXX)
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")

printf '%-12s %14s %18s %14s %10s %16s\n' "JDK" "kill->handler" "handler->forced" "total median" "total max" "with threads"
for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  python3 - "$jdk/bin/java" "$AGENT" "$CP" "$OUT" "$RUNS" <<'PY'
import datetime, glob, os, re, signal, subprocess, sys, time
java, agent, cp, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.split('"')[1]
delivery, forced, total, full = [], [], [], []
for i in range(runs):
    d = os.path.join(out, "%s-%d" % (version, i))
    p = subprocess.Popen([java, "-javaagent:%s=dir=%s,log=off" % (agent, d), "-cp", cp, "dev.forensics.samples.KilledService"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        js = glob.glob(os.path.join(d, "journal-*.log"))
        if js and "hooks active" in open(js[0]).read():
            break
        time.sleep(0.05)
    time.sleep(0.5)
    t0 = time.time_ns()
    os.kill(p.pid, signal.SIGTERM)
    p.wait(60)
    words = open(glob.glob(os.path.join(d, "last-words-*"))[0]).read()
    journal = open(glob.glob(os.path.join(d, "journal-*.log"))[0]).read()
    m = re.search(r"received: (\d+-\d+-\d+ \d+:\d+:\d+)\.(\d{6}) ([+-]\d{4})", words)
    dt = datetime.datetime.strptime(m.group(1) + "." + m.group(2) + " " + m.group(3), "%Y-%m-%d %H:%M:%S.%f %z")
    to_handler = (dt.timestamp() * 1e9 - t0) / 1e6
    m2 = re.search(r"last words forced ([0-9.]+) ms after SIGTERM arrived \(verdict and cause; threads and feature state forced ([0-9.]+) ms later[^)]*\)", journal)
    f = float(m2.group(1))
    full.append(to_handler + f + float(m2.group(2)))
    delivery.append(to_handler)
    forced.append(f)
    total.append(to_handler + f)
med = lambda xs: sorted(xs)[len(xs) // 2]
print("%-12s %11.2f ms %15.2f ms %11.2f ms %7.2f ms %13.2f ms" % (version, med(delivery), med(forced), med(total), max(total), med(full)))
PY
done
echo "($RUNS runs per JDK; medians; $(nproc) cores; output in $OUT)"
