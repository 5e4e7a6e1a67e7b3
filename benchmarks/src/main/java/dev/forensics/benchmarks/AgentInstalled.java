package dev.forensics.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A measurement with the agent must start after the agent's off-thread installation, or the first seconds run
 * uninstrumented code. Given {@code -Dbench.agentDir=<dir>} (the agent's {@code dir=}), waits for the journal to
 * list the hooks and checks that the ones named are active; without it, does nothing.
 */
final class AgentInstalled {
    private AgentInstalled() {}

    static void await(String... hooks) throws Exception {
        String dir = System.getProperty("bench.agentDir");
        if (dir == null) {
            return;
        }
        Path journal = Paths.get(dir, "journal-" + ProcessHandle.current().pid() + ".log");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(journal)) {
                String text = Files.readString(journal);
                if (text.contains("hooks active")) {
                    for (String h : hooks) {
                        if (!text.contains("hook " + h + " ")) {
                            throw new IllegalStateException("hook " + h + " not in " + journal);
                        }
                    }
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("agent did not finish installing: " + journal);
    }
}
