package dev.forensics.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fans every finding out to the journal and the log sink, with identical findings (same key) aggregated: the
 * first is written, repeats within a window are counted and summarised in the next line written for that key,
 * and a global budget caps lines per minute so no failure loop can flood a disk or a log. JFR events are emitted
 * by the feature that knows their fields; this class only writes text.
 */
public final class Reporter {
    static final long WINDOW_NANOS = 60_000_000_000L;
    static final int MAX_KEYS = 4096;
    static final int LINES_PER_MINUTE = 600;

    private static volatile Reporter current;

    private final Journal journal;
    private final LogSink log;
    /** Made at the first finding, so premain loads none of it; never with otelLogs=off. */
    private final boolean otelOn;

    private volatile OtelLogs otel;
    private final Map<String, Aggregate> aggregates = new LinkedHashMap<>(64, 0.75f, true);
    private long budgetWindowStart = System.nanoTime();
    private int budgetUsed;
    private long dropped;

    private static final class Aggregate {
        long lastWritten;
        long suppressed;
        long firstSuppressedMillis;
    }

    Reporter(Journal journal, LogSink log) {
        this(journal, log, false);
    }

    Reporter(Journal journal, LogSink log, boolean otel) {
        this.journal = journal;
        this.log = log;
        this.otelOn = otel;
    }

    public static void init(Path dir, long journalMaxBytes, String logMode) {
        init(dir, journalMaxBytes, logMode, false, true);
    }

    /**
     * @param json the journal as JSON lines ({@code journalFormat=json}) instead of text
     * @param otel findings also as OpenTelemetry log records when the application has set up OpenTelemetry
     */
    public static void init(Path dir, long journalMaxBytes, String logMode, boolean json, boolean otel) {
        current = new Reporter(new Journal(dir, journalMaxBytes, json), new LogSink(logMode), otel);
    }

    /** The journal's path, or null before init. */
    public static Path journalFile() {
        Reporter r = current;
        return r == null ? null : r.journal.file();
    }

    /** Reports one finding through every text sink, subject to aggregation and the global budget. */
    public static void report(Finding f) {
        RecentFindings.record(f);
        Reporter r = current;
        if (r == null) {
            Stderr.line("[forensics] " + f.message());
            return;
        }
        r.write(f, System.nanoTime(), Instant.now());
    }

    /**
     * Like {@link #report}, without aggregation by key: for a feature that already limits its own lines (a leak site
     * writes its running total at most once a minute, which a window of the same length would swallow). The global
     * budget still applies.
     */
    public static void reportRateLimited(Finding f) {
        RecentFindings.record(f);
        Reporter r = current;
        if (r == null) {
            Stderr.line("[forensics] " + f.message());
            return;
        }
        r.write(f, System.nanoTime(), Instant.now(), false, false);
    }

    /**
     * Like {@link #report}, but only the journal line is written on this thread; the log-sink line goes out on a
     * short-lived daemon thread. For findings raised inside a write that holds an application lock the log sink may
     * need too: a failing write to System.out holds that PrintStream, which a console appender on another thread,
     * holding its own lock, may be waiting for.
     */
    public static void reportLogLater(Finding f) {
        Reporter r = current;
        if (r == null) {
            Stderr.line("[forensics] " + f.message());
            return;
        }
        r.write(f, System.nanoTime(), Instant.now(), true, true);
    }

    /** Journal only: status and detail lines an operator looks up, not ones that should reach the app's log. */
    public static void journal(String category, String message) {
        journal(new Finding(category, Finding.Severity.INFO, null, message));
    }

    /** Journal only, at a chosen level: the doctor's risks are WARN lines that still stay out of the app's log. */
    public static void journal(String category, Finding.Severity severity, String message) {
        journal(new Finding(category, severity, null, message));
    }

    /** Journal only, with fields for the JSON journal (no key: a journal line is never aggregated). */
    public static void journal(Finding f) {
        Reporter r = current;
        if (r != null && !r.journal.append(Instant.now(), f, f.message()) && !r.journal.failed()) {
            Stderr.line("[forensics] " + f.message());
        }
    }

    public static void flush() {
        Reporter r = current;
        if (r != null) {
            r.journal.force();
        }
    }

    void write(Finding f, long now, Instant at) {
        write(f, now, at, false, true);
    }

    void write(Finding f, long now, Instant at, boolean logLater, boolean aggregate) {
        String message;
        Finding counted = f;
        synchronized (this) {
            Aggregate agg = aggregate ? aggregates.get(f.key()) : null;
            if (agg != null && now - agg.lastWritten < WINDOW_NANOS) {
                if (agg.suppressed++ == 0) {
                    agg.firstSuppressedMillis = at.toEpochMilli();
                }
                return;
            }
            if (!takeBudget(now)) {
                dropped++;
                return;
            }
            message = f.message();
            if (!aggregate) {
                agg = new Aggregate(); // counted nowhere: the reporting feature limits its own lines
            } else if (agg == null) {
                agg = new Aggregate();
                aggregates.put(f.key(), agg);
                if (aggregates.size() > MAX_KEYS) {
                    aggregates.remove(aggregates.keySet().iterator().next());
                }
            } else if (agg.suppressed > 0) {
                message = message + " (+" + agg.suppressed + " more like this since "
                        + Clock.timestamp(agg.firstSuppressedMillis) + ")";
                counted = counted.with("repeated", agg.suppressed);
                agg.suppressed = 0;
            }
            if (dropped > 0) {
                message = message + " (" + dropped + " other lines dropped by the rate limit)";
                counted = counted.with("droppedLines", dropped);
                dropped = 0;
            }
            agg.lastWritten = now;
        }
        Finding out = counted;
        boolean onDisk = journal.append(at, out, message);
        if (log.off() && !onDisk) {
            Stderr.line("[forensics] " + message); // nowhere else would say it
            otel(out, message, at);
        } else if (logLater) {
            String line = message;
            Thread t = new Thread(
                    () -> {
                        log.log(out, line);
                        otel(out, line, at);
                    },
                    "forensics-log");
            t.setDaemon(true);
            t.start();
        } else {
            log.log(out, message);
            otel(out, message, at);
        }
    }

    private void otel(Finding f, String message, Instant at) {
        if (!otelOn) {
            return;
        }
        OtelLogs o = otel;
        if (o == null) {
            synchronized (this) {
                o = otel;
                if (o == null) {
                    otel = o = new OtelLogs();
                }
            }
        }
        o.emit(f, message, at);
    }

    private boolean takeBudget(long now) {
        if (now - budgetWindowStart >= WINDOW_NANOS) {
            budgetWindowStart = now;
            budgetUsed = 0;
        }
        return budgetUsed++ < LINES_PER_MINUTE;
    }
}
