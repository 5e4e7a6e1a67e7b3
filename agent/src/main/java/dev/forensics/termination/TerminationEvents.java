package dev.forensics.termination;

import dev.forensics.bootstrap.events.ExitRequestedEvent;
import dev.forensics.bootstrap.events.LastWordsEvent;
import dev.forensics.bootstrap.events.ShutdownHookEvent;
import dev.forensics.bootstrap.events.SignalReceivedEvent;
import dev.forensics.report.Jfr;
import dev.forensics.report.Printable;

/**
 * The termination events for JFR. Only touched at death and only once JFR has initialised in this JVM, so a JVM
 * without a recording never loads jdk.jfr for them; called after the last words are on disk, never before.
 */
final class TerminationEvents {
    private TerminationEvents() {}

    static boolean recording() {
        return Jfr.ready();
    }

    static void death(Cause cause, String file) {
        if (!recording()) {
            return;
        }
        if (cause.kind() == Cause.Kind.SIGNAL) {
            SignalReceivedEvent e = new SignalReceivedEvent();
            SignalRecord r = cause.signal();
            e.signal = Verdicts.signalName(cause.signo());
            e.signalNumber = cause.signo();
            e.verdict = Printable.line(cause.verdict());
            if (r != null) {
                e.code = r.codeName();
                e.senderPid = r.pid();
                e.senderUid = r.uid();
                e.senderCommand = Printable.line(r.command().isEmpty() ? r.senderShort() : r.command());
                e.senderParentPid = r.ppid();
                e.senderParentCommand =
                        Printable.line(r.parentCommand().isEmpty() ? r.parentShort() : r.parentCommand());
                e.deliveries = r.count();
            }
            e.commit();
        }
        LastWordsEvent w = new LastWordsEvent();
        w.verdict = Printable.line(cause.verdict());
        w.cause = cause.kind().label;
        w.exitStatus = cause.status() == null ? -1 : cause.status();
        w.file = file;
        w.commit();
    }

    /** On the calling thread, so the event's stack trace is the caller's. */
    static void exit(int status, boolean halt, String caller, String thread) {
        if (!recording()) {
            return;
        }
        ExitRequestedEvent e = new ExitRequestedEvent();
        e.status = status;
        e.halt = halt;
        e.caller = Printable.line(caller);
        e.threadName = Printable.line(thread);
        e.commit();
    }

    /** Returns the started event (as Object, so callers need no jdk.jfr types), or null. */
    static Object hookStarted() {
        if (!recording()) {
            return null;
        }
        ShutdownHookEvent e = new ShutdownHookEvent();
        e.begin();
        return e;
    }

    static void hookFinished(Object started, String hook) {
        if (!recording()) {
            return; // before the instanceof, which would load the event class
        }
        if (started instanceof ShutdownHookEvent) {
            ShutdownHookEvent e = (ShutdownHookEvent) started;
            e.hook = Printable.line(hook);
            e.end();
            e.commit();
        }
    }
}
