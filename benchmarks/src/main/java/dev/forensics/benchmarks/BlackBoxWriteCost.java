package dev.forensics.benchmarks;

import dev.forensics.agent.AgentOptions;
import dev.forensics.blackbox.BlackBox;
import dev.forensics.environment.Cgroups;
import dev.forensics.environment.Doctor;
import dev.forensics.environment.Host;
import dev.forensics.report.PrivateFiles;
import dev.forensics.report.Reporter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What one black-box heartbeat costs, by part, and which way of writing the box is cheaper: temp file + fsync +
 * rename ({@code PrivateFiles.writeAtomically}) or one positional write of the 4 KiB block in place, with and
 * without fsync. Also what premain pays for the black box and doctor (thread start and hook registration) and how
 * long the doctor takes on its own thread. Medians of many rounds after a warm-up.
 * Usage: java -cp benchmarks/target/forensics-benchmarks.jar:agent/target/forensics.jar dev.forensics.benchmarks.BlackBoxWriteCost [dir]
 */
public final class BlackBoxWriteCost {
    private BlackBoxWriteCost() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("forensics-bench-");
        Files.createDirectories(dir);
        byte[] block = new byte[4096];
        Arrays.fill(block, (byte) 'x');
        Path atomic = dir.resolve("atomic.txt");
        Path inPlace = dir.resolve("in-place.txt");
        Host host = Host.current(null);
        Cgroups.MemoryDir memory = Cgroups.memoryDir(host, "self");

        try (FileChannel ch = PrivateFiles.open(inPlace, false)) {
            ByteBuffer buf = ByteBuffer.wrap(block);
            report(
                    "writeAtomically (temp, fsync, rename)",
                    time(300, () -> PrivateFiles.writeAtomically(atomic, block)));
            report("in place, positional write", time(20_000, () -> {
                buf.clear();
                ch.write(buf, 0);
            }));
            report("in place, positional write + fsync", time(300, () -> {
                buf.clear();
                ch.write(buf, 0);
                ch.force(false);
            }));
        }
        report(
                "cgroup + vmstat sample (" + (memory == null ? "no memory cgroup" : "cgroup v" + memory.version())
                        + ")",
                time(20_000, () -> Cgroups.sample(host, memory)));
        report("doctor on this machine", time(50, () -> Doctor.examine(Doctor.Inputs.self(host))));

        Reporter.init(dir, 1 << 20, "off");
        // In the agent, premain has already used a lambda, started a thread and asked for the pid (the journal's name)
        // before BlackBox.install; pay those JDK costs first here too, so only the black box's own part is timed.
        Thread warm = new Thread(() -> {});
        warm.start();
        warm.join();
        ProcessHandle.current().pid();
        long t0 = System.nanoTime();
        BlackBox.install(AgentOptions.parse("dir=" + dir).blackbox(), dir, null);
        long installNanos = System.nanoTime() - t0;
        System.out.printf(
                "%-48s %10.1f µs (once, cold classes: what premain pays)%n", "BlackBox.install", installNanos / 1000.0);
    }

    interface Work {
        void run() throws Exception;
    }

    private static long[] time(int rounds, Work w) throws Exception {
        for (int i = 0; i < Math.min(rounds, 1000); i++) {
            w.run();
        }
        long[] t = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long s = System.nanoTime();
            w.run();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        return t;
    }

    private static void report(String what, long[] sorted) {
        System.out.printf(
                "%-48s %10.1f µs median, %10.1f µs p90 (%d rounds)%n",
                what, sorted[sorted.length / 2] / 1000.0, sorted[sorted.length * 9 / 10] / 1000.0, sorted.length);
    }
}
