package dev.forensics.report;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Findings to the application's own log: its SLF4J logger named {@code forensics}, found reflectively through the
 * loaders that hold the application (a Spring Boot launched loader, a web-app loader; see {@link Loaders}), else one
 * line on stderr. Looked up at a finding, never at start-up (that could initialise the application's logging before
 * it configured it), and again whenever a new loader has appeared, so a loader created after the first finding is
 * still found. An ERROR finding the application's configuration would drop (level off, no appender) also goes to
 * stderr, so a quiet log never hides one. We never bundle a binding.
 */
final class LogSink {
    /** The shortest pause between two look-ups, however fast loaders appear. */
    static final long RETRY_NANOS = 1_000_000_000L;

    static final String NAME = "forensics";

    private final String mode;
    /** Weak: the application's logger holds its class loader, which an undeployed web app must be able to drop. */
    private volatile WeakReference<AppLogger> logger = new WeakReference<>(null);
    /** Guarded by this. */
    private int triedGeneration = Integer.MIN_VALUE;

    private long triedAt;
    private boolean saidSink;
    private boolean saidBroken;
    private boolean saidHidden;
    private boolean saidStopped;
    private final QuietErrors quiet = new QuietErrors();

    LogSink(String mode) {
        this.mode = mode;
    }

    boolean off() {
        return "off".equals(mode);
    }

    /** {@code kind} groups findings for the stderr lines of ERROR findings a quiet log would hide (e.g. "leak"). */
    void log(Finding.Severity severity, String kind, String message) {
        log(severity, kind, message, null);
    }

    /** The finding with {@code message} as its line and its fields as SLF4J key-values (or MDC entries). */
    void log(Finding f, String message) {
        log(f.severity(), f.category(), message, f.attributes());
    }

    private void log(Finding.Severity severity, String kind, String message, java.util.Map<String, Object> fields) {
        if ("off".equals(mode)) {
            return;
        }
        if ("stderr".equals(mode)) {
            sayOnce("findings go to stderr (log=stderr)");
        } else {
            AppLogger l = logger();
            if (l != null) {
                try {
                    AppLogger.Shown shown = l.log(severity, Printable.line(message), fields);
                    if (shown == AppLogger.Shown.YES) {
                        return;
                    }
                    if (shown == AppLogger.Shown.HIDDEN) {
                        hidden(l, kind, message);
                        return;
                    }
                    stopped(l); // its logging is stopped (its shutdown, or a reconfiguration): this one to stderr
                } catch (Throwable t) {
                    broken(t);
                }
            }
        }
        Stderr.line("[forensics] " + message);
    }

    private void hidden(AppLogger l, String kind, String message) {
        synchronized (this) {
            if (!saidHidden) {
                saidHidden = true;
                note("the application's log hides ERROR findings of logger '" + NAME + "' (" + l.hiddenWhy()
                        + "): they also go to stderr,"
                        + " at most one line per kind per minute; to show them in the log, " + l.howToShow());
            }
        }
        String line = quiet.line(kind, message, System.nanoTime());
        if (line != null) {
            Stderr.line("[forensics] " + line);
        }
    }

    private synchronized void stopped(AppLogger l) {
        if (!saidStopped) {
            saidStopped = true;
            note("the application's logging (" + l.description()
                    + ") was stopped when a finding came, as in its shutdown:"
                    + " findings go to stderr while it stays stopped");
        }
    }

    /** The application's logging broke or shut down: stderr from here on. */
    private synchronized void broken(Throwable t) {
        logger = new WeakReference<>(null);
        triedGeneration = Integer.MAX_VALUE; // never again: a logger that throws once is gone with its application
        if (!saidBroken) {
            saidBroken = true;
            note("the application's SLF4J logger failed (" + t + "): findings go to stderr from here on");
        }
    }

    private synchronized void sayOnce(String line) {
        if (!saidSink) {
            saidSink = true;
            note(line);
        }
    }

    /** The bound logger, or null; looks again when a loader appeared since the last look (at most once a second). */
    private AppLogger logger() {
        AppLogger l = logger.get();
        if (l != null) {
            return l;
        }
        int generation = Loaders.generation();
        long now = System.nanoTime();
        synchronized (this) {
            l = logger.get();
            if (l != null || triedGeneration == Integer.MAX_VALUE) {
                return l;
            }
            if (generation == triedGeneration || triedGeneration != Integer.MIN_VALUE && now - triedAt < RETRY_NANOS) {
                return null;
            }
            boolean first = triedGeneration == Integer.MIN_VALUE;
            triedGeneration = generation;
            triedAt = now;
            try {
                l = find();
            } catch (Throwable t) {
                l = null; // nothing of the application's may break a finding: stderr then
            }
            if (l != null) {
                logger = new WeakReference<>(l);
                saidSink = true;
                note("findings go to SLF4J logger '" + NAME + "' (" + l.description() + "), " + l.fieldsBy());
            } else if (first) {
                note(("slf4j".equals(mode) ? "log=slf4j but no" : "no")
                        + " SLF4J provider in any application loader yet ("
                        + Loaders.all().size() + " looked at): findings go to stderr until one appears");
            }
            return l;
        }
    }

    private static AppLogger find() {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (ClassLoader loader : candidates(contextLoaders(), Loaders.all(), system)) {
            if (hasProvider(loader)) {
                try {
                    AppLogger l = AppLogger.bind(loader, NAME);
                    if (l != null) {
                        return l;
                    }
                } catch (Throwable t) {
                    // this loader's SLF4J does not link or initialise: the next may
                }
            }
        }
        return null;
    }

    /**
     * Where to look, in order: the context loaders of the application's threads other than the system loader (a
     * launcher such as Spring Boot's sets its launched loader there, the main thread's first), then every loader
     * seen, system loader first. So the loader that holds the application wins over a system loader that happens to
     * have SLF4J too, and a plain {@code -cp} application is looked up where it lives.
     */
    static List<ClassLoader> candidates(List<ClassLoader> contextLoaders, List<ClassLoader> seen, ClassLoader system) {
        List<ClassLoader> out = new ArrayList<>();
        for (ClassLoader l : contextLoaders) {
            if (l != system) {
                addOnce(out, l);
            }
        }
        for (ClassLoader l : seen) {
            addOnce(out, l);
        }
        return out;
    }

    private static void addOnce(List<ClassLoader> out, ClassLoader l) {
        if (l == null) {
            return;
        }
        for (ClassLoader o : out) {
            if (o == l) {
                return;
            }
        }
        out.add(l);
    }

    /** Context loaders of live platform threads, the main thread's first; never the agent's own threads. */
    static List<ClassLoader> contextLoaders() {
        List<ClassLoader> out = new ArrayList<>();
        try {
            ThreadGroup root = Thread.currentThread().getThreadGroup();
            while (root != null && root.getParent() != null) {
                root = root.getParent();
            }
            if (root == null) {
                return out;
            }
            Thread[] threads = new Thread[Math.min(4096, root.activeCount() + 16)];
            int n = root.enumerate(threads, true);
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < n; i++) {
                    Thread t = threads[i];
                    boolean main = "main".equals(t.getName());
                    if ((pass == 0) == main && !t.getName().startsWith("forensics")) {
                        ClassLoader l = t.getContextClassLoader();
                        if (l != null && !out.contains(l)) {
                            out.add(l);
                        }
                    }
                }
            }
        } catch (Throwable t) {
            // a security manager or a broken thread: the loaders the weaver saw are still asked
        }
        return out;
    }

    /** SLF4J without a provider prints its own warning and logs nowhere; then stderr is the honest choice. */
    private static boolean hasProvider(ClassLoader loader) {
        try {
            return loader.getResource("org/slf4j/LoggerFactory.class") != null
                    && (loader.getResource("META-INF/services/org.slf4j.spi.SLF4JServiceProvider") != null
                            || loader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null);
        } catch (Throwable t) {
            return false;
        }
    }

    static void note(String line) {
        Reporter.journal("agent", line);
    }

    /**
     * At most one stderr line per kind of finding per minute for ERROR findings the application's log hides; the
     * next line of a kind counts those left out meanwhile (all of them are in the journal).
     */
    static final class QuietErrors {
        static final long WINDOW_NANOS = 60_000_000_000L;
        static final int MAX_KINDS = 64;

        private final java.util.Map<String, long[]> byKind = new java.util.HashMap<>();

        /** The line to print now, or null when this kind already had its line this minute. */
        synchronized String line(String kind, String message, long now) {
            long[] k = byKind.get(kind); // {last printed, left out since}
            if (k == null) {
                if (byKind.size() >= MAX_KINDS) {
                    byKind.clear();
                }
                byKind.put(kind, new long[] {now, 0});
                return message;
            }
            if (now - k[0] < WINDOW_NANOS) {
                k[1]++;
                return null;
            }
            long left = k[1];
            k[0] = now;
            k[1] = 0;
            return left == 0
                    ? message
                    : message + " (+" + left
                            + " more ERROR findings like this hidden by the application's log; all in the journal)";
        }
    }
}
