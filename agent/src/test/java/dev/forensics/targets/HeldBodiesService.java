package dev.forensics.targets;

import dev.forensics.bootstrap.BodyHooks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A service holding many open response bodies and many threads when it is stopped:
 * {@code HeldBodiesService <dir|-> <bodies> <threads> <queryChars>}. The bodies are registered through the same client-neutral
 * tracker call Apache HttpClient 5's hook makes (one body per request, each with its own id in the path and query),
 * because tens of thousands of real connections would exceed the file descriptor limit of a test machine; what the
 * agent does with them at shutdown is the same. With {@code queryChars > 0} one more body's URL carries a query of
 * that many characters. Prints READY, then waits for a signal; its shutdown hook prints the wall-clock time it started.
 */
public final class HeldBodiesService {
    /** What the Apache 5 hook hands the tracker for a streamed response. */
    private static void open(Object body, int status, String target) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t != null) {
            t.open(body, t.origin(), "Apache HttpClient 5", "entity", status, "GET", t.url(target, "http://127.0.0.1:8080"), -1, 0);
        }
    }

    public static void main(String[] args) throws Exception {
        if (!args[0].equals("-")) { // "-": run without the agent, for a baseline
            AgentReady.await(args[0]);
        }
        int bodies = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int queryChars = Integer.parseInt(args[3]);
        List<Object> held = new ArrayList<>();
        for (int i = 0; i < bodies; i++) {
            Object body = new Object();
            held.add(body);
            open(body, i % 7 == 0 ? 500 : 200, "/api/items/" + i + "?page=" + i + "&token=SECRET" + i);
        }
        if (queryChars > 0) {
            Object body = new Object();
            held.add(body);
            open(body, 200, "/search?q=" + "a".repeat(queryChars));
        }
        CountDownLatch never = new CountDownLatch(1);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(null, () -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "worker-" + i, 64 * 1024);
            t.setDaemon(true);
            t.start();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("HOOK STARTED " + System.currentTimeMillis());
            System.out.flush();
        }, "app-shutdown"));
        System.out.println("READY " + held.size());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
