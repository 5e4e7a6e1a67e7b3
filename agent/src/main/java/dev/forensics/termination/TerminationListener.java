package dev.forensics.termination;

import java.nio.file.Path;

/**
 * Told, on the dying JVM's own threads, how the end unfolds; for features that keep their own record of a death
 * (the black box). Register with {@link Termination#addListener}. Calls are made after the last words of that
 * step are forced to disk; a listener that throws is ignored for that call, and one that blocks delays the JVM's
 * exit, so keep them short.
 */
public interface TerminationListener {
    /**
     * The JVM has started to end. Called once per JVM, before any shutdown hook runs (for a signal: on the signal's
     * thread, before the JVM's handler; for an exit or halt: on the calling thread).
     *
     * @param verdict the one-sentence verdict that heads the last words
     * @param kind    {@code signal}, {@code exit}, {@code halt}, {@code last-thread} or {@code unknown}
     */
    default void shutdownStarted(String verdict, String kind) {}

    /** The last words are on disk at {@code path}, or on stderr when {@code path} is null. */
    default void lastWordsWritten(Path path) {}

    /** An application shutdown hook's thread started; {@code name} is as in the last words: {@code "name" (class)}. */
    default void hookStarted(String name) {}

    /** That hook's thread ended after {@code millis}. */
    default void hookFinished(String name, long millis) {}
}
