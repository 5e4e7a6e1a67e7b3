package dev.forensics.samples;

import java.util.concurrent.TimeUnit;

/**
 * Incidents: a service that vanished without a log line — killed with SIGKILL (kill -9, the kernel OOM killer, a
 * supervisor out of patience), or stopped with the SSH session it was started from. It prints "ready" and then
 * serves (sleeps) for the given seconds; the scripts kill and restart it under the agent.
 */
public final class OrdersService {
    public static void main(String[] args) throws Exception {
        System.out.println("orders service ready (pid " + ProcessHandle.current().pid() + ")");
        TimeUnit.SECONDS.sleep(args.length > 0 ? Long.parseLong(args[0]) : 600);
        System.out.println("orders service stopping after its run");
    }
}
