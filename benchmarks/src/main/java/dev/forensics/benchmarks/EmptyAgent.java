package dev.forensics.benchmarks;

import java.lang.instrument.Instrumentation;

/** An agent whose premain does nothing: what merely having an agent costs, the baseline forensics is held to. */
public final class EmptyAgent {
    private EmptyAgent() {}

    public static void premain(String options, Instrumentation inst) {
        // intentionally nothing
    }
}
