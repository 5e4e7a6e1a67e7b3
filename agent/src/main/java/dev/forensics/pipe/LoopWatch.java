package dev.forensics.pipe;

import dev.forensics.report.Finding;
import dev.forensics.report.Jfr;
import dev.forensics.report.Reporter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one thread of the pipe feature, started with the first loop: it closes loops that went quiet for a window
 * (their totals to the journal, the log and JFR), writes one progress line per running loop per
 * {@link #UPDATE_NANOS} to the journal only, and at exit ends every loop still running so its totals are written.
 */
final class LoopWatch implements Runnable {
    static final long UPDATE_NANOS = 60_000_000_000L;

    private final WriteFailures failures;
    private final long tickMillis;
    private final AtomicBoolean started = new AtomicBoolean();

    LoopWatch(WriteFailures failures) {
        this.failures = failures;
        // Loops close within a quarter window of going quiet; never busier than 20 ticks a second.
        this.tickMillis = Math.max(50, Math.min(1000, failures.windowNanos / 4_000_000));
    }

    /** Idempotent; called on the thread that found the first loop. */
    void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        Thread t = detached(this, "forensics-pipes");
        t.setDaemon(true);
        t.start();
        try {
            Runtime.getRuntime().addShutdownHook(detached(this::atExit, "forensics-pipes-exit"));
        } catch (IllegalStateException | SecurityException e) {
            // already shutting down: the section in last words still lists the running loops
        }
    }

    /**
     * Created on an application thread, which may belong to a webapp: without its inheritable thread locals and
     * context class loader, this long-lived thread pins neither.
     */
    private static Thread detached(Runnable r, String name) {
        Thread t = new Thread(null, r, name, 0, false);
        t.setContextClassLoader(null);
        return t;
    }

    @Override
    public void run() {
        while (true) {
            try {
                Thread.sleep(tickMillis);
                tick();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                Reporter.journal("pipe", "loop checker stopped after an internal error: " + t);
                return;
            }
        }
    }

    void tick() {
        WriteFailures.Tick tick = failures.tick(System.nanoTime(), System.currentTimeMillis(), UPDATE_NANOS);
        for (WriteFailures.Progress p : tick.updates()) {
            Reporter.journal("pipe", PipeRecorder.updateMessage(p));
        }
        for (WriteFailures.Loop l : tick.ended()) {
            ended(l);
        }
    }

    private void atExit() {
        for (WriteFailures.Loop l : failures.endAll(System.currentTimeMillis())) {
            ended(l);
        }
        Reporter.flush();
    }

    private static void ended(WriteFailures.Loop l) {
        if (Jfr.AVAILABLE) {
            PipeEvents.loopEnded(l);
        }
        Reporter.report(PipeRecorder.fields(
                        Finding.warn("pipe", "pipe-loop-end:" + l.entry.key, PipeRecorder.endedMessage(l)), l)
                .with("atExit", l.endedAtExit));
    }
}
