package dev.forensics.termination;

import java.util.List;

/**
 * Why the JVM is going, as first seen: a signal, an exit or halt call, or the last non-daemon thread ending.
 * The verdict is the sentence that heads the last words; details are the record behind it.
 *
 * @param status the exit status the JVM will report, or null when not known yet
 * @param signal the native record for a signal, or null (no record, or not a signal)
 * @param caller for exit/halt, the calling frame as {@code com.acme.Lib.stop(Lib.java:12)}
 */
record Cause(
        Kind kind,
        String verdict,
        List<String> details,
        Integer status,
        long epochMillis,
        int signo,
        SignalRecord signal,
        String caller,
        String thread) {

    enum Kind {
        SIGNAL("signal"),
        EXIT("exit"),
        HALT("halt"),
        LAST_THREAD("last-thread"),
        UNKNOWN("unknown");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** A signal: its number, the shim's record of it (null without one) and the thread it was handled on. */
    static Cause signal(
            String verdict,
            List<String> details,
            Integer status,
            long epochMillis,
            int signo,
            SignalRecord record,
            String thread) {
        return new Cause(Kind.SIGNAL, verdict, details, status, epochMillis, signo, record, null, thread);
    }

    /** An exit or halt call ({@code kind} EXIT or HALT), with its calling frame (null when not found). */
    static Cause call(
            Kind kind,
            String verdict,
            List<String> details,
            Integer status,
            long epochMillis,
            String caller,
            String thread) {
        return new Cause(kind, verdict, details, status, epochMillis, 0, null, caller, thread);
    }

    /** The last non-daemon thread ended ({@code LAST_THREAD}), or a shutdown no hook saw the reason of ({@code UNKNOWN}). */
    static Cause ended(
            Kind kind, String verdict, List<String> details, Integer status, long epochMillis, String thread) {
        return new Cause(kind, verdict, details, status, epochMillis, 0, null, null, thread);
    }

    /** This cause with the exit status the JVM will report. */
    Cause withStatus(int exitStatus) {
        return new Cause(kind, verdict, details, exitStatus, epochMillis, signo, signal, caller, thread);
    }

    /** main returned and nothing went wrong: said in the journal only, with no last-words file. */
    boolean normalEnd() {
        return kind == Kind.LAST_THREAD && status != null && status == 0;
    }
}
