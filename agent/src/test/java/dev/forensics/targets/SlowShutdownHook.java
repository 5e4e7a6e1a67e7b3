package dev.forensics.targets;

/** A service whose shutdown hook "slow-flush" never finishes, as a flush to a dead database would not. */
public final class SlowShutdownHook {
    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(SlowShutdownHook::flushMetrics, "slow-flush"));
        AgentReady.await(args[0]);
        System.out.println("READY");
        Thread.sleep(600_000);
    }

    static void flushMetrics() {
        try {
            Thread.sleep(600_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
