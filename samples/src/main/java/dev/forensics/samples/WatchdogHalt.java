package dev.forensics.samples;

import java.util.concurrent.TimeUnit;

/**
 * Incident: a service vanished without running its shutdown hooks and without a line in its log. A watchdog thread
 * in a library called {@code Runtime.halt} when a health check failed; halt skips hooks and the JVM's own exit
 * logging. Under the agent, the last words were forced to disk before the halt went ahead.
 */
public final class WatchdogHalt {
    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("flushing state (never printed: halt skips hooks)"),
                "state-flusher"));
        System.out.println("service started; its watchdog will find the health check failing in a moment");
        Thread watchdog = new Thread(WatchdogHalt::checkHealth, "health-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        TimeUnit.MINUTES.sleep(10);
    }

    static void checkHealth() {
        try {
            TimeUnit.MILLISECONDS.sleep(1500);
        } catch (InterruptedException e) {
            return;
        }
        Runtime.getRuntime().halt(2);
    }
}
