package dev.forensics.pipe;

import dev.forensics.agent.AgentOptions;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.PipeHooks;
import dev.forensics.metrics.Meters;
import dev.forensics.report.Sections;
import dev.forensics.report.Stderr;
import java.time.Duration;

/**
 * Broken-pipe loops and broken standard streams, installed in premain before the hooks are: the options, the
 * recorder the hooks call, and the report section. Nothing runs until a write fails.
 */
public final class Pipes {
    public static final int DEFAULT_LOOP_FAILURES = 20;
    public static final String DEFAULT_LOOP_WINDOW = "10s";

    private Pipes() {}

    /** Never throws: a failure here costs the two pipe features, not the agent. */
    public static void install(AgentOptions options) {
        try {
            register(options);
        } catch (Throwable t) {
            Feature.disable(Feature.PIPES);
            Feature.disable(Feature.STDSTREAMS);
            Stderr.line("forensics: broken-pipe and std stream detection disabled after an internal error: " + t);
        }
    }

    private static void register(AgentOptions options) {
        boolean pipes = options.feature("pipes");
        boolean stdstreams = options.feature("stdstreams");
        String failuresOption = options.raw("pipeLoopFailures");
        String windowOption = options.raw("pipeLoopWindow");
        int threshold = failuresOption == null ? DEFAULT_LOOP_FAILURES : Integer.parseInt(failuresOption.trim());
        Duration window = AgentOptions.parseDuration(windowOption == null ? DEFAULT_LOOP_WINDOW : windowOption);
        WriteFailures failures = new WriteFailures(threshold, window.toNanos());
        StdStreams std = new StdStreams();
        PipeRecorder recorder = new PipeRecorder(failures, std, new LoopWatch(failures));
        PipeHooks.register(recorder);
        if (options.feature("metrics")) {
            Meters.pipes(new PipeMeters(recorder, failures, std));
        }
        Sections.register(new PipesSection(failures, std, pipes, stdstreams));
    }
}
