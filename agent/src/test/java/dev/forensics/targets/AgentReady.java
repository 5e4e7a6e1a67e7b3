package dev.forensics.targets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Lets a target wait until the agent's off-thread installation has been journaled, as a long-running service would be. */
public final class AgentReady {
    private AgentReady() {}

    public static void await(String dir) throws Exception {
        Path journal = Paths.get(dir, "journal-" + ProcessHandle.current().pid() + ".log");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(journal) && Files.readString(journal).contains("hooks active")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("agent did not report its installation in " + journal);
    }
}
