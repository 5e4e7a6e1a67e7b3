package dev.forensics.pipe;

import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.PipeHooks;
import dev.forensics.metrics.Meters;
import dev.forensics.report.Sections;
import dev.forensics.report.Stderr;

/**
 * Broken-pipe loops and broken standard streams, installed in premain before the hooks are: the options, the
 * recorder the hooks call, and the report section. Nothing runs until a write fails.
 */
public final class Pipes {
    private Pipes() {}

    /** Never throws: a failure here costs the two pipe features, not the agent. */
    public static void install(PipeSettings settings) {
        try {
            register(settings);
        } catch (Throwable t) {
            Feature.disable(Feature.PIPES);
            Feature.disable(Feature.STDSTREAMS);
            Stderr.line("forensics: broken-pipe and std stream detection disabled after an internal error: " + t);
        }
    }

    private static void register(PipeSettings s) {
        WriteFailures failures =
                new WriteFailures(s.loopFailures(), s.loopWindow().toNanos());
        StdStreams std = new StdStreams();
        PipeRecorder recorder = new PipeRecorder(failures, std, new LoopWatch(failures));
        PipeHooks.register(recorder);
        if (s.metrics()) {
            Meters.pipes(new PipeMeters(recorder, failures, std));
        }
        Sections.register(new PipesSection(failures, std, s.pipes(), s.stdstreams()));
    }
}
