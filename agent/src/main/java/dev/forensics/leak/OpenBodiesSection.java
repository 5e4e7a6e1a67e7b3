package dev.forensics.leak;

import dev.forensics.report.Section;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Open and leaked response bodies by origin site, for last words and {@code forensics report}. */
final class OpenBodiesSection implements Section {
    private final LeakWatcher watcher;
    private final BodyTracker tracker;

    OpenBodiesSection(LeakWatcher watcher, BodyTracker tracker) {
        this.watcher = watcher;
        this.tracker = tracker;
    }

    @Override
    public String title() {
        return "HTTP response bodies";
    }

    @Override
    public List<String> lines() {
        return tracker.tracked() == 0 && tracker.untracked() == 0 ? List.of() : watcher.lines();
    }

    @Override
    public List<String> linesWithin(long budgetNanos) {
        return tracker.tracked() == 0 && tracker.untracked() == 0 ? List.of() : watcher.lines(budgetNanos);
    }

    @Override
    public Map<String, Object> data() {
        Map<String, Object> out = new LinkedHashMap<>();
        long now = System.nanoTime();
        List<Object> sites = new ArrayList<>();
        for (Tallies.Tally t : watcher.liveRows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("site", t.site);
            row.put("client", t.client);
            row.put("obtainedVia", t.kind);
            row.put("method", t.method);
            row.put("url", t.url);
            row.put("status", t.status);
            row.put("open", t.count);
            row.put("oldestMillis", (now - t.firstNanos) / 1_000_000L);
            sites.add(row);
        }
        out.put("open", tracker.open());
        out.put("openBySite", sites);
        out.put("leaked", tracker.leaked());
        out.put("heldTooLong", watcher.heldReported());
        out.put("tracked", tracker.tracked());
        out.put("untracked", tracker.untracked());
        out.put("maxOpen", tracker.maxOpen());
        return out;
    }
}
