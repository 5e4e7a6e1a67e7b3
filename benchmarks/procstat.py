#!/usr/bin/env python3
"""Whole-process figures of one JVM, for benchmarks/idle.sh and benchmarks/service-startup.sh.

  procstat.py run PERFFILE -- java ...      wait for the JVM, print "cpu_ms=… rss_mib=… classes=…"
  procstat.py service PERFFILE URL LOADURL SECS RATE STDOUT -- java ...
                                            poll URL until the first HTTP 200, then request LOADURL RATE times a
                                            second for SECS seconds, stop the JVM with SIGTERM; print
                                            "first200_ms=… cpu200_ms=… cpu_ms=… load_cpu_ms=… rss_mib=… classes=…"
  procstat.py summary FILE REF JUDGED [name:limit[%] ...]
                                            medians (min–max) per variant and metric, deltas against REF, and for
                                            the variants JUDGED (comma-separated) PASS/FAIL per budget (absolute, or
                                            % of REF's median)

CPU is user + system of the whole process (every thread, the exited ones too): from wait4's rusage for `run`, from
/proc/<pid>/stat (clock ticks) for `service`, which must read it while the JVM still serves. Peak RSS is the
kernel's high-water mark (ru_maxrss, VmHWM). Classes loaded come from the JVM's own counters, saved at exit by
-XX:+PerfDataSaveToFile (the script adds the flag): what -Xlog:class+load would count, without the logging's cost.
"""
import http.client
import os
import signal
import struct
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def perf_counters(path):
    """The long counters of an hsperfdata file (the format jstat reads), by name."""
    with open(path, "rb") as f:
        b = f.read()
    if struct.unpack_from(">I", b, 0)[0] != 0xCAFEC0C0:
        raise ValueError(path + ": not a JVM perf data file")
    order = "<" if b[4] == 1 else ">"
    offset, entries = struct.unpack_from(order + "ii", b, 24)
    counters = {}
    for _ in range(entries):
        length, name_at, _vector, kind = struct.unpack_from(order + "iiib", b, offset)
        data_at = struct.unpack_from(order + "i", b, offset + 16)[0]
        name = b[offset + name_at:b.index(b"\0", offset + name_at)].decode()
        if kind == ord("J"):
            counters[name] = struct.unpack_from(order + "q", b, offset + data_at)[0]
        offset += length
    return counters


def classes_loaded(path):
    c = perf_counters(path)
    return c["java.cls.loadedClasses"] + c["java.cls.sharedLoadedClasses"]


def run(perf, cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit("exit status %d: %s" % (os.waitstatus_to_exitcode(status), " ".join(cmd)))
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    print("cpu_ms=%.1f rss_mib=%.2f classes=%d" % (cpu, usage.ru_maxrss / 1024, classes_loaded(perf)))


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK  # utime, stime (fields 14 and 15 of stat)


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise ValueError("no VmHWM")


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r.status


def service(perf, url, load_url, secs, rate, stdout, cmd):
    host, _, path = url.partition("//")[2].partition("/")
    load_path = "/" + load_url.partition("//")[2].partition("/")[2]
    h, _, port = host.partition(":")
    start = time.monotonic()
    with open(stdout, "wb") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        while True:  # every 10 ms; a refused connection costs the JVM nothing
            if p.poll() is not None:
                sys.exit("the service ended with status %d before answering (see %s)" % (p.returncode, stdout))
            if time.monotonic() - start > 300:
                sys.exit("no HTTP 200 from %s within 300 s" % url)
            try:
                conn = http.client.HTTPConnection(h, int(port), timeout=5)
                if get(conn, "/" + path) == 200:
                    break
                conn.close()
            except OSError:
                pass
            time.sleep(0.01)
        first200 = (time.monotonic() - start) * 1000
        cpu200 = cpu_ms(p.pid)
        served = 0
        began = time.monotonic()
        while time.monotonic() - began < secs:  # light load on one kept-alive connection
            status = get(conn, load_path)
            if status != 200:
                sys.exit("HTTP %d from %s" % (status, load_url))
            served += 1
            time.sleep(max(0.0, began + served / rate - time.monotonic()))
        cpu = cpu_ms(p.pid)
        rss = peak_rss_mib(p.pid)
        conn.close()
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            p.wait(60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    print("first200_ms=%.1f cpu200_ms=%.1f cpu_ms=%.1f load_cpu_ms=%.1f rss_mib=%.2f classes=%d" % (
        first200, cpu200, cpu, cpu - cpu200, rss, classes_loaded(perf)))


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def figure(x):
    return "%d" % x if x == int(x) else "%.1f" % x


def summary(path, ref, judged, budgets):
    """FILE holds lines 'jdk variant metric=value ...'; prints one table per JDK in the order first seen. A line with
    escaped=1 is a run that ended before the agent's start-up did: counted as left out, its figures unused."""
    data = {}  # jdk -> variant -> metric -> [values]
    left_out = {}  # (jdk, variant) -> runs
    metrics = []
    with open(path) as f:
        for line in f:
            jdk, variant, *pairs = line.split()
            data.setdefault(jdk, {}).setdefault(variant, {})
            if "escaped=1" in pairs:
                left_out[jdk, variant] = left_out.get((jdk, variant), 0) + 1
                continue
            for pair in pairs:
                m, v = pair.split("=")
                if m not in metrics:
                    metrics.append(m)
                data.setdefault(jdk, {}).setdefault(variant, {}).setdefault(m, []).append(float(v))
    limits = {}
    for b in budgets:
        m, limit = b.split(":")
        limits[m] = (float(limit.rstrip("%")), limit.endswith("%"))
    for jdk, variants in data.items():
        print("\n%s (median, min–max, of n runs)" % jdk)
        print("%-12s%4s" % ("variant", "n") + "".join("%26s" % m for m in metrics))
        for variant, ms in variants.items():
            print("%-12s%4d" % (variant, max((len(v) for v in ms.values()), default=0)) + "".join(
                "%26s" % ("%s (%s–%s)" % (figure(median(ms[m])), figure(min(ms[m])), figure(max(ms[m])))
                          if m in ms else "-")
                for m in metrics)
                  + ("  (%d left out: ended before the agent's start-up did)" % left_out[jdk, variant]
                     if (jdk, variant) in left_out else ""))
        base = variants.get(ref)
        if base is None:
            continue
        for variant, ms in variants.items():
            if variant == ref:
                continue
            cells = []
            for m in metrics:
                if m not in ms or m not in base:
                    continue
                d = median(ms[m]) - median(base[m])
                pct = 100 * d / median(base[m]) if median(base[m]) else float("nan")
                cell = "%s %+.1f (%+.1f %%)" % (m, d, pct)
                if m in limits and variant in judged.split(","):
                    limit, relative = limits[m]
                    ok = (pct if relative else d) <= limit
                    cell += " ≤ %s%s %s" % (("%g" % limit), " %" if relative else "", "PASS" if ok else "FAIL")
                cells.append(cell)
            print("  %s − %s: %s" % (variant, ref, "; ".join(cells)))


def command(args):
    if "--" not in args:
        sys.exit("missing -- before the command")
    i = args.index("--")
    return args[:i], args[i + 1:]


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "run":
        (perf,), cmd = command(rest)
        run(perf, cmd)
    elif mode == "service":
        (perf, url, load_url, secs, rate, stdout), cmd = command(rest)
        service(perf, url, load_url, float(secs), float(rate), stdout, cmd)
    elif mode == "summary":
        summary(rest[0], rest[1], rest[2], rest[3:])
    else:
        sys.exit(__doc__)
