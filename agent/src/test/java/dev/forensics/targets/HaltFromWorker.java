package dev.forensics.targets;

/** A watchdog thread that halts the JVM: no shutdown hook runs, so only what was forced before the halt survives. */
public final class HaltFromWorker {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran (must not happen)"), "never-runs"));
        Thread watchdog = new Thread(HaltFromWorker::giveUp, "watchdog");
        watchdog.start();
        watchdog.join();
    }

    static void giveUp() {
        Runtime.getRuntime().halt(7);
    }
}
