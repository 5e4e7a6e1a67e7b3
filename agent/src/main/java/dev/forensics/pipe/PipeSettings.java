package dev.forensics.pipe;

import java.time.Duration;

/**
 * The pipe features' options, parsed once by the agent's option table (where each is declared, with its default).
 *
 * @param pipes        {@code pipes}: failed socket writes and the broken-pipe loop verdict
 * @param stdstreams   {@code stdstreams}: broken stdout and stderr
 * @param loopFailures {@code pipeLoopFailures}: failed writes within the window that make a loop
 * @param loopWindow   {@code pipeLoopWindow}
 * @param metrics      {@code metrics}: whether the counters are published as meters
 */
public record PipeSettings(boolean pipes, boolean stdstreams, int loopFailures, Duration loopWindow, boolean metrics) {}
