package dev.forensics.samples;

import java.util.concurrent.TimeUnit;

/**
 * Incident: a service printed "Terminated" and was gone; its own log said nothing about why. Something sent it
 * SIGTERM. Here a deploy script (samples/demo.sh writes one) does exactly that; under the agent, the last words name
 * the script, its parent and the time, and show the service's shutdown hook running.
 */
public final class KilledService {
    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(KilledService::closeConnections, "connection-closer"));
        System.out.println("service started (pid " + ProcessHandle.current().pid() + "); accepting connections");
        System.out.flush();
        TimeUnit.MINUTES.sleep(args.length > 0 ? Long.parseLong(args[0]) : 10);
    }

    /** What a real service does on the way out; it shows up in the last words with its timing. */
    static void closeConnections() {
        System.out.println("closing connections");
        try {
            TimeUnit.MILLISECONDS.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
