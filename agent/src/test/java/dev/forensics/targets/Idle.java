package dev.forensics.targets;

/** Waits for the agent, prints READY, then idles for the given seconds (or until a signal ends it). */
public final class Idle {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        System.out.println("READY");
        Thread.sleep(args.length > 1 ? Long.parseLong(args[1]) * 1000 : 60_000);
    }
}
