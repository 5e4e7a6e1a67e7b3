package dev.forensics.pipe;

import dev.forensics.report.Clock;
import dev.forensics.report.Section;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipe feature's state for last words and {@code forensics report}: running and ended broken-pipe loops,
 * failed writes that were not loops, and stdout/stderr. Quiet (no lines) while nothing ever failed.
 */
final class PipesSection implements Section {
    private static final int MAX_OTHERS = 10;

    private final WriteFailures failures;
    private final StdStreams std;
    private final boolean pipes;
    private final boolean stdstreams;

    PipesSection(WriteFailures failures, StdStreams std, boolean pipes, boolean stdstreams) {
        this.failures = failures;
        this.std = std;
        this.pipes = pipes;
        this.stdstreams = stdstreams;
    }

    @Override
    public String title() {
        return "Broken pipes";
    }

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        if (pipes) {
            WriteFailures.Snapshot s = failures.snapshot(MAX_OTHERS);
            long now = System.nanoTime();
            for (WriteFailures.Loop l : s.active()) {
                out.add("loop running at " + l.entry.site + " to " + l.entry.peer + ": " + l.failures
                        + " failed writes since "
                        + Clock.timeOfDay(l.startMillis) + " (" + PipeRecorder.rate(l.rate(now))
                        + "), " + l.kindSummary() + ", last \"" + l.lastMessage + "\"");
            }
            for (WriteFailures.Loop l : s.closed()) {
                out.add("loop " + (l.endedAtExit ? "running at exit" : "ended") + " at " + l.entry.site + " to "
                        + l.entry.peer + ": "
                        + l.failures + " failed writes from " + Clock.timeOfDay(l.startMillis) + " to "
                        + Clock.timeOfDay(l.lastMillis) + " (" + l.kindSummary() + "), "
                        + l.bytes + " bytes attempted");
            }
            if (s.closedForgotten() > 0) {
                out.add(s.closedForgotten() + " older ended loops not kept (cap " + WriteFailures.MAX_CLOSED + ")");
            }
            for (String[] o : s.others()) {
                out.add("failed writes, not a loop, at " + o[1] + " to " + o[0] + ": " + o[2] + ", last at "
                        + Clock.timeOfDay(Long.parseLong(o[4])) + " \"" + o[5] + "\"");
            }
            if (s.otherSites() > s.others().size()) {
                out.add((s.otherSites() - s.others().size()) + " more sites with failed writes");
            }
            if (s.droppedFailures() > 0) {
                out.add(s.droppedFailures() + " failed writes not tracked: " + WriteFailures.MAX_SITES
                        + " sites already tracked");
            }
        }
        if (stdstreams && (std.broken(1) != null || std.broken(2) != null)) {
            out.add(std.describe(1));
            out.add(std.describe(2));
        }
        return out;
    }

    @Override
    public Map<String, Object> data() {
        Map<String, Object> data = new LinkedHashMap<>();
        if (pipes) {
            WriteFailures.Snapshot s = failures.snapshot(MAX_OTHERS);
            List<Object> loops = new ArrayList<>();
            for (WriteFailures.Loop l : s.active()) {
                loops.add(loop(l, "running"));
            }
            for (WriteFailures.Loop l : s.closed()) {
                loops.add(loop(l, l.endedAtExit ? "running at exit" : "ended"));
            }
            data.put("loops", loops);
            List<Object> others = new ArrayList<>();
            for (String[] o : s.others()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("peer", o[0]);
                m.put("site", o[1]);
                m.put("failures", Long.parseLong(o[2]));
                m.put("bytesAttempted", Long.parseLong(o[3]));
                m.put("lastFailureMillis", Long.parseLong(o[4]));
                m.put("lastError", o[5]);
                others.add(m);
            }
            data.put("otherFailures", others);
            data.put("sitesTracked", s.sites());
            data.put("droppedFailures", s.droppedFailures());
            data.put("endedLoopsNotKept", s.closedForgotten());
        }
        if (stdstreams) {
            for (int fd = 1; fd <= 2; fd++) {
                StdStreams.Broken b = std.broken(fd);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("broken", b != null);
                if (b != null) {
                    m.put("was", b.was());
                    m.put("target", b.target());
                    m.put("error", b.error());
                    m.put("site", b.site());
                    m.put("brokenAtMillis", b.atMillis());
                }
                data.put(fd == 1 ? "stdout" : "stderr", m);
            }
        }
        return data;
    }

    private static Map<String, Object> loop(WriteFailures.Loop l, String state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state);
        m.put("site", l.entry.site);
        m.put("peer", l.entry.peer);
        m.put("layer", l.entry.layer);
        m.put("failures", l.failures);
        m.put("kinds", l.kindSummary());
        m.put("bytesAttempted", l.bytes);
        m.put("firstFailureMillis", l.startMillis);
        m.put("lastFailureMillis", l.lastMillis);
        m.put("lastError", l.lastMessage);
        m.put("stack", List.copyOf(l.stack));
        return m;
    }
}
