package dev.forensics.targets;

/** main dies of an uncaught exception: the JVM ends with status 1 once no non-daemon thread is left. */
public final class MainThrows {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        loadConfig();
    }

    static void loadConfig() {
        throw new IllegalStateException("no config at /etc/app.conf");
    }
}
