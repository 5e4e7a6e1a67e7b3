package dev.forensics.benchmarks;

/**
 * A CPU-bound application for whole-process overhead runs: hashes for the given seconds on one thread and prints
 * its throughput per wall second and per second of its own CPU time (which other load on a shared machine moves
 * far less), plus the CPU time the agent's forensics-blackbox thread used meanwhile. The heartbeat must not move
 * the throughput (benchmarks/heartbeat.sh).
 */
public final class CpuLoop {
    private CpuLoop() {}

    public static void main(String[] args) {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
        long warmupEnd = System.nanoTime() + 2_000_000_000L;
        long x = 0x9E3779B97F4A7C15L;
        while (System.nanoTime() < warmupEnd) {
            x = step(x);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long ops = 0;
        long cpu0 = threads.getCurrentThreadCpuTime();
        long box0 = boxCpu(threads);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100_000; i++) {
                x = step(x);
            }
            ops += 100_000;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        long box = boxCpu(threads) - box0;
        System.out.printf(
                "%.0f ops/s %.0f ops/cpu-s blackbox-thread-cpu-us %d (%d)%n",
                ops / elapsed, ops / cpu, box / 1000, x & 1);
    }

    /** CPU nanoseconds of the agent's heartbeat thread so far, 0 without the agent. */
    private static long boxCpu(java.lang.management.ThreadMXBean threads) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("forensics-blackbox")) {
                return Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return 0;
    }

    private static long step(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x * 0xBF58476D1CE4E5B9L;
    }
}
