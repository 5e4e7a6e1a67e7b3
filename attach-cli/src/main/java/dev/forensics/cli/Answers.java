package dev.forensics.cli;

import dev.forensics.agent.AgentOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every command that asks an agent shares: the output format and how long to wait for the answer. */
final class Answers {
    /** Longer is a typo; and a deadline of nanoTime plus the timeout must not overflow. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(
            names = "--timeout",
            defaultValue = "20s",
            paramLabel = "DURATION",
            description = "How long to wait for the agent's answer (e.g. 500ms, 20s, 1m; default ${DEFAULT-VALUE}).")
    String timeout;

    String format() {
        return json ? "json" : "text";
    }

    Duration timeout() {
        Duration d = AgentOptions.parseDuration(timeout);
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "--timeout takes a duration from 1ms to 24h such as 500ms, 20s or 1m, not '" + timeout + "'");
        }
        return d;
    }
}
