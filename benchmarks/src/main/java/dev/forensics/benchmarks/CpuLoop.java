package dev.forensics.benchmarks;

/**
 * A CPU-bound application for whole-process overhead runs: hashes for the given seconds on one thread and prints
 * its throughput. The heartbeat must not move this figure (benchmarks/heartbeat.sh).
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
        long ops = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100_000; i++) {
                x = step(x);
            }
            ops += 100_000;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("%.0f ops/s (%d)%n", ops / elapsed, x & 1);
    }

    private static long step(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x * 0xBF58476D1CE4E5B9L;
    }
}
