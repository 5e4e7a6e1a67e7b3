package dev.forensics.termination;

import dev.forensics.agent.AgentOptions;
import dev.forensics.bootstrap.TerminationHooks;
import java.nio.file.Path;

/** Termination capture, installed synchronously in premain: who asked the JVM to go, and how it went. */
public final class Termination {
    private Termination() {}

    public static void install(AgentOptions options, Path dir) {
        TerminationHooks.register(new ExitRecorder());
    }
}
