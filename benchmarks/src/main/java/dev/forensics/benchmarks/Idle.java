package dev.forensics.benchmarks;

/** A service doing nothing for the given seconds: the target of benchmarks/cli-requests.sh. */
public final class Idle {
    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.parseLong(args.length > 0 ? args[0] : "600") * 1000);
    }
}
