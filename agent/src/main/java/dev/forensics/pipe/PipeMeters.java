package dev.forensics.pipe;

import dev.forensics.metrics.Meters;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Broken pipes and std streams for the meters, read from the recorder's counters. */
final class PipeMeters implements Meters.PipeFigures {
    private final PipeRecorder recorder;
    private final WriteFailures failures;
    private final StdStreams std;

    PipeMeters(PipeRecorder recorder, WriteFailures failures, StdStreams std) {
        this.recorder = recorder;
        this.failures = failures;
        this.std = std;
    }

    @Override
    public Map<String, Long> failedWrites() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (FailureKind k : FailureKind.values()) {
            out.put(k.name().toLowerCase(Locale.ROOT), recorder.failed.get(k.ordinal()));
        }
        return out;
    }

    @Override
    public long loopsDetected() {
        return failures.loopsSeen();
    }

    @Override
    public long loopsActive() {
        return failures.loopsActive();
    }

    @Override
    public Map<String, Long> brokenStdStreams() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("stdout", std.broken(1) != null ? 1L : 0L);
        out.put("stderr", std.broken(2) != null ? 1L : 0L);
        return out;
    }
}
