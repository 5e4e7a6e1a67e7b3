package dev.forensics.pipe;

import dev.forensics.bootstrap.events.BrokenPipeLoopEndedEvent;
import dev.forensics.bootstrap.events.BrokenPipeLoopEvent;
import dev.forensics.bootstrap.events.BrokenStdStreamEvent;

/** The pipe feature's JFR events; only loaded when {@code Jfr.AVAILABLE}, so a runtime without jdk.jfr never links them. */
final class PipeEvents {
    private PipeEvents() {}

    /** Called on the writing thread: the event's stack trace is the code that keeps writing. */
    static void loopDetected(WriteFailures.Loop l, long windowMillis, long now) {
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
