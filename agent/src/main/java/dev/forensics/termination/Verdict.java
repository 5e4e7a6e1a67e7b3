package dev.forensics.termination;

import java.util.List;

/**
 * The two lines that head every account of a death, and the facts behind them.
 *
 * @param cause          why the JVM is going, in the operator's words
 * @param next           "next: …": whether a supervisor brings it back, and when a SIGKILL follows if the hooks take too long
 * @param evidence       every fact the two lines rest on, each with where it was read
 * @param sigkillAtMillis when the supervisor's SIGKILL is due (epoch ms), or -1 when none is known to follow
 * @param stopTimeout    the setting behind that deadline ("TimeoutStopSec=90s, systemd's default"), or null
 */
record Verdict(String cause, String next, List<String> evidence, long sigkillAtMillis, String stopTimeout) {

    /** The journal's and the application log's form: both lines in one. */
    String oneLine() {
        return cause + "; " + next;
    }
}
