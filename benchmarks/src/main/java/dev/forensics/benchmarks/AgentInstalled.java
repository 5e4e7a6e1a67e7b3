package dev.forensics.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A measurement with the agent must start after the agent's off-thread installation, or the first seconds run
 * uninstrumented code. Given {@code -Dbench.agentDir=<dir>} (the agent's {@code dir=}), waits for the journal to
 * list the named hooks as active (or ready for a class not loaded yet); without it, does nothing.
 */
final class AgentInstalled {
    private AgentInstalled() {}

    /** Each named hook must be listed as active or ready (applied when its class loads). */
    private static boolean listsAll(String journal, String... hooks) {
        if (!journal.contains("hooks active")) {
            return false;
        }
        for (String h : hooks) {
            if (!journal.contains("hook " + h + " active") && !journal.contains("hook " + h + " ready")) {
                return false;
            }
        }
        return true;
    }

    static void await(String... hooks) throws Exception {
        String dir = System.getProperty("bench.agentDir");
        if (dir == null) {
            return;
        }
        String head = "journal-" + ProcessHandle.current().pid() + "-"; // journal-<pid>-<start>.log
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(Paths.get(dir), head + "*.log")) {
                for (Path journal : files) {
                    if (listsAll(Files.readString(journal), hooks)) {
                        return;
                    }
                }
            } catch (java.nio.file.NoSuchFileException notYet) {
                // the agent makes the directory
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("agent did not finish installing: no complete " + head + "*.log in " + dir);
    }
}
