package dev.forensics.benchmarks;

/**
 * A JVM doing nothing for the given seconds (decimals allowed): the target of benchmarks/idle.sh, which needs it to
 * outlive every start-up step of the agent, and of benchmarks/cli-requests.sh.
 */
public final class Idle {
    private Idle() {}

    public static void main(String[] args) throws InterruptedException {
        Thread.sleep((long) (Double.parseDouble(args.length > 0 ? args[0] : "600") * 1000));
    }
}
