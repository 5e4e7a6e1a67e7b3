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

    Map<String, Object> data();
}
