package dev.forensics.samples;

import java.time.LocalTime;
import java.util.concurrent.TimeUnit;

/**
 * Incident: a service logged to stdout, started as {@code java -jar svc.jar | some-log-shipper}. The shipper died;
 * the JVM ignores SIGPIPE and System.out swallows the EPIPE, so the service ran on with every log line going
 * nowhere and nothing anywhere saying so. The demo runs it as {@code … | head -n 3}; under the agent, the journal
 * says when stdout broke, that it was a pipe, and which line of code was writing.
 */
public final class StdoutReaderGone {
    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        TimeUnit.MILLISECONDS.sleep(2500); // the service starts up (and the agent installs its hooks meanwhile)
        for (int i = 1; i <= lines; i++) {
            logStatus(i);
            TimeUnit.MILLISECONDS.sleep(100);
        }
        System.err.println("service still running; System.out.checkError() = " + System.out.checkError());
    }

    static void logStatus(int n) {
        System.out.println(LocalTime.now() + " INFO status: request " + n + " handled");
    }
}
