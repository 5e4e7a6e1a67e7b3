#!/usr/bin/env bash
# How long the agent keeps a loaded service's own shutdown hooks waiting (target: <= 100 ms with 50,000 open
# response bodies and 10,000 threads). Each run starts HeldBodiesService (the agent's test target: it registers the
# bodies through the tracker call the Apache 5 hook makes, starts the threads, and its one shutdown hook prints the
# wall-clock time it started), waits a second after READY, sends SIGTERM from python3 noting the time, and takes
# kill -> the application's hook started, and kill -> the process gone. Without the agent for the baseline.
# Usage: benchmarks/shutdown-load.sh [runs per JDK, default 7] [bodies, default 50000] [threads, default 10000]
#        (after mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
BODIES=${2:-50000}
THREADS=${3:-10000}
AGENT=$PWD/agent/target/forensics.jar
CP=$PWD/agent/target/test-classes
[[ -f $AGENT && -f $CP/dev/forensics/targets/HeldBodiesService.class ]] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
OUT=$(mktemp -d /tmp/forensics-shutdown-load.XXXXXX)
JDKS=("${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}" "${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}")

printf '%-12s %-8s %18s %16s %16s %14s\n' "JDK" "agent" "kill->hook median" "kill->hook max" "kill->exit median" "rest of words"
for jdk in "${JDKS[@]}"; do
  [[ -x $jdk/bin/java ]] || { echo "skipping $jdk: not installed"; continue; }
  python3 - "$jdk/bin/java" "$AGENT" "$CP" "$OUT" "$RUNS" "$BODIES" "$THREADS" <<'PY'
import glob, os, re, signal, subprocess, sys, time
java, agent, cp, out, runs, bodies, threads = sys.argv[1:8]
runs = int(runs)
version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.split('"')[1]
def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]
for with_agent in (False, True):
    hook, gone, rest = [], [], []
    for i in range(runs):
        d = os.path.join(out, "%s-%s-%d" % (version, "agent" if with_agent else "none", i))
        os.makedirs(d)
        cmd = [java, "-Xmx512m"]
        if with_agent:
            cmd.append("-javaagent:%s=dir=%s,log=off" % (agent, d))
        # without the agent its bootstrap classes (the tracker interface the target calls) come from the class path
        cmd += ["-cp", cp if with_agent else cp + ":" + os.path.join(os.path.dirname(cp), "classes"), "dev.forensics.targets.HeldBodiesService", d if with_agent else "-", bodies, threads, "0"]
        stdout = open(os.path.join(d, "stdout"), "w+")
        p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline and "READY" not in open(stdout.name).read():
            time.sleep(0.05)
        time.sleep(1)
        t0 = time.time_ns()
        os.kill(p.pid, signal.SIGTERM)
        p.wait(60)
        t1 = time.time_ns()
        m = re.search(r"HOOK STARTED (\d+)", open(stdout.name).read())
        hook.append(int(m.group(1)) - t0 / 1e6)
        gone.append((t1 - t0) / 1e6)
        if with_agent:
            j = open(glob.glob(os.path.join(d, "journal-*.log"))[0]).read()
            r = re.search(r"feature state forced ([0-9.]+) ms later", j)
            if r:
                rest.append(float(r.group(1)))
    print("%-12s %-8s %15.0f ms %13.0f ms %13.0f ms %14s" % (version, "on" if with_agent else "none", med(hook), max(hook), med(gone),
          ("%.0f ms" % med(rest)) if rest else "-"))
PY
done
echo "runs in $OUT"
