package dev.forensics.targets.http;

/**
 * One HTTP client driven the way applications use it. {@link #leakErrorBody} is the bug the agent must name (an error
 * response whose body is never closed); {@link #cleanCall} closes its body in one of the idiomatic ways, chosen by
 * {@code variant}, and must never be reported.
 */
public interface BodyClient extends AutoCloseable {
    /** Obtains a 500 response and returns without closing or reading its body. */
    void leakErrorBody(String url) throws Exception;

    /** Obtains a response and closes or fully reads its body; {@code variant} picks the idiom. */
    void cleanCall(String url, int variant) throws Exception;

    /** Obtains a response and returns the open body (or whatever holds it) for the caller to close later. */
    Object open(String url) throws Exception;

    void close(Object opened) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
