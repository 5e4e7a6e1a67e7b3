package dev.forensics.report;

import java.util.List;
import java.util.Map;

/**
 * One feature's current state, as a titled block: written into last words and the journal when the JVM goes,
 * and into {@code forensics report}. Lines are for people (already redacted); data is the same for {@code --json}
 * (values are String, Number, Boolean, List or Map only). An empty {@link #lines()} means nothing to say.
 */
public interface Section {
    String title();

    List<String> lines();

    /**
     * The lines as the dying JVM writes them into its last words, before the application's shutdown hooks may run: a
     * section whose lines cost time in proportion to what it tracks spends at most {@code budgetNanos} and says what it
     * left out.
     */
    default List<String> linesWithin(long budgetNanos) {
        return lines();
    }

    Map<String, Object> data();
}
