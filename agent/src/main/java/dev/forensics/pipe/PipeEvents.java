package dev.forensics.pipe;

import dev.forensics.bootstrap.events.BrokenPipeLoopEndedEvent;
import dev.forensics.bootstrap.events.BrokenPipeLoopEvent;
import dev.forensics.bootstrap.events.BrokenStdStreamEvent;
import dev.forensics.report.Jfr;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The pipe feature's JFR events; only loaded when {@code Jfr.AVAILABLE}, so a runtime without jdk.jfr never links them,
 * and no event class is loaded before JFR initialises ({@link Jfr#ready()}).
 */
final class PipeEvents {
    /** Standard streams that broke before JFR initialised, by fd: they stay broken, so the next recording is told. */
    private static final AtomicReferenceArray<StdStreams.Broken> BROKEN_UNRECORDED = new AtomicReferenceArray<>(3);

    private static final Runnable TELL_BROKEN_UNRECORDED = new Runnable() {
        @Override
        public void run() {
            tellBrokenUnrecorded();
        }
    };

    private PipeEvents() {}

    /** Called on the writing thread: the event's stack trace is the code that keeps writing. */
    static void loopDetected(WriteFailures.Loop l, long windowMillis, long now) {
        if (!Jfr.ready()) {
            return;
        }
        BrokenPipeLoopEvent e = new BrokenPipeLoopEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.site = l.entry.site;
        e.peer = l.entry.peer;
        e.layer = l.entry.layer;
        e.kind = l.mainKind().label;
        e.lastError = l.lastMessage;
        e.failures = l.failures;
        e.windowMillis = windowMillis;
        e.rate = l.rate(now);
        e.bytesAttempted = l.bytes;
        e.firstFailure = l.startMillis;
        e.commit();
    }

    static void loopEnded(WriteFailures.Loop l) {
        if (!Jfr.ready()) {
            return;
        }
        BrokenPipeLoopEndedEvent e = new BrokenPipeLoopEndedEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.site = l.entry.site;
        e.peer = l.entry.peer;
        e.layer = l.entry.layer;
        e.kinds = l.kindSummary();
        e.failures = l.failures;
        e.durationMillis = l.lastMillis - l.startMillis;
        e.rate = l.rate(l.lastNanos);
        e.bytesAttempted = l.bytes;
        e.firstFailure = l.startMillis;
        e.lastFailure = l.lastMillis;
        e.atExit = l.endedAtExit;
        e.commit();
    }

    static void stdStreamBroken(StdStreams.Broken b) {
        if (Jfr.ready()) {
            commit(b);
            return;
        }
        BROKEN_UNRECORDED.compareAndSet(b.fd(), null, b);
        Jfr.atRecordingStart(TELL_BROKEN_UNRECORDED);
        if (Jfr.ready()) {
            tellBrokenUnrecorded(); // JFR initialised meanwhile
        }
    }

    /** Once per stream, into the first recording that enables the event: its brokenAt says when it really broke. */
    private static void tellBrokenUnrecorded() {
        for (int fd = 1; fd <= 2; fd++) {
            if (BROKEN_UNRECORDED.get(fd) != null && new BrokenStdStreamEvent().isEnabled()) {
                StdStreams.Broken b = BROKEN_UNRECORDED.getAndSet(fd, null);
                if (b != null) {
                    commit(b);
                }
            }
        }
    }

    private static void commit(StdStreams.Broken b) {
        BrokenStdStreamEvent e = new BrokenStdStreamEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.stream = b.name();
        e.fd = b.fd();
        e.was = b.was();
        e.target = b.target();
        e.error = b.error();
        e.site = b.site();
        e.brokenAt = b.atMillis();
        e.commit();
    }
}
