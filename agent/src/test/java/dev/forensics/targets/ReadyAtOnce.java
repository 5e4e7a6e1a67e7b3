package dev.forensics.targets;

/** Prints READY at once, without waiting for the agent, then idles for the given seconds (or until a signal ends it). */
public final class ReadyAtOnce {
    public static void main(String[] args) throws Exception {
        System.out.println("READY");
        Thread.sleep(Long.parseLong(args[0]) * 1000);
    }
}
