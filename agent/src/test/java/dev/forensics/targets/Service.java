package dev.forensics.targets;

import java.util.Arrays;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A long-running service: registers a shutdown hook ("app-cleanup", prints "app hook ran"), waits for the agent,
 * prints READY and idles until a signal ends it. Options after the output dir:
 * {@code hang} (the hook sleeps for ten minutes), {@code own-handler} (installs its own SIGTERM handler after
 * start-up, as some servers do, which prints "app handler" and chains to the previous one).
 */
public final class Service {
    public static void main(String[] args) throws Exception {
        List<String> options = Arrays.asList(args).subList(1, args.length);
        boolean hang = options.contains("hang");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("app hook ran");
            System.out.flush();
            if (hang) {
                sleep(600_000);
            }
        }, hang ? "slow-cleanup" : "app-cleanup"));
        if (!options.contains("no-wait")) {
            AgentReady.await(args[0]);
        }
        if (options.contains("own-handler")) {
            SignalHandler[] previous = new SignalHandler[1];
            previous[0] = Signal.handle(new Signal("TERM"), sig -> {
                System.out.println("app handler");
                System.out.flush();
                previous[0].handle(sig);
            });
        }
        System.out.println("READY");
        System.out.flush();
        sleep(120_000);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
