package dev.forensics.targets.http;

import com.example.wrapperlib.Wrapper;
import dev.forensics.targets.AgentReady;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.forensicsit.ApacheSideApp;

/**
 * Leaks whose sites the agent must name at default settings, {@code OriginSites <dir>}: while two threads make
 * correct Apache 5 calls from deep stacks as fast as they can (spending the stack budget many times over), one rare
 * call leaks; an application class under {@code org.apache.hc.} leaks; a call through a wrapper library leaks; and
 * an HttpURLConnection site leaks twice a second for over a minute. Ends when the journal names every site and the
 * repeating one's running total, or after two minutes.
 */
public final class OriginSites {
    static final int DEPTH = 250;

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        AgentReady.await(dir);
        Path work = Paths.get(dir).toAbsolutePath().getParent();
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(200);
        pool.setDefaultMaxPerRoute(100);
        AtomicBoolean stop = new AtomicBoolean();
        try (LoopbackServer server = LoopbackServer.start(false, work);
             CloseableHttpClient client = HttpClients.custom().setConnectionManager(pool).build()) {
            String base = server.base();
            Thread repeating = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        keepLeaking(base + "/error/again?token=" + HttpBodies.SECRET);
                        Thread.sleep(500);
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "repeating-leak");
            repeating.setDaemon(true);
            repeating.start();

            AtomicBoolean busy = new AtomicBoolean(true);
            List<Thread> loops = new ArrayList<>();
            long[] calls = new long[2];
            for (int n = 0; n < 2; n++) {
                int id = n;
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; busy.get(); i++) {
                            deep(DEPTH, client, base + (i % 3 == 2 ? "/error" : "/ok") + "?i=" + i);
                            calls[id]++;
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                }, "busy-" + n);
                t.start();
                loops.add(t);
            }
            Thread.sleep(2000);
            rareLeak(client, base + "/error/rare?token=" + HttpBodies.SECRET);
            ApacheSideApp.leak(client, base + "/error/hc?token=" + HttpBodies.SECRET);
            viaWrapper(new Wrapper(client), base + "/error/wrapped?token=" + HttpBodies.SECRET);
            System.out.println("LEAKED");
            Thread.sleep(1000);
            busy.set(false);
            for (Thread t : loops) {
                t.join();
            }
            System.out.println("CLEAN " + (calls[0] + calls[1]));
            String[] wanted = {
                "leaked at dev.forensics.targets.http.OriginSites.rareLeak(", "leaked at org.apache.hc.forensicsit.ApacheSideApp.leak(",
                "leaked at dev.forensics.targets.http.OriginSites.viaWrapper(", "leaked at dev.forensics.targets.http.OriginSites.keepLeaking(OriginSites.java:",
            };
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline && !all(HttpBodies.journal(dir), wanted)) {
                System.gc();
                Thread.sleep(200);
            }
            stop.set(true);
        }
        System.out.println("DONE");
    }

    private static boolean all(String journal, String[] wanted) {
        for (String w : wanted) {
            if (!journal.contains(w)) {
                return false;
            }
        }
        return journal.contains("(total "); // the repeating site's running total
    }

    /** A correct call from a deep stack, as a framework-heavy service makes it: expensive stacks to capture. */
    private static void deep(int depth, CloseableHttpClient client, String url) throws Exception {
        if (depth > 0) {
            deep(depth - 1, client, url);
            return;
        }
        try (ClassicHttpResponse r = client.executeOpen(null, new HttpGet(url), null)) {
            r.getCode();
        }
    }

    static void rareLeak(CloseableHttpClient client, String url) throws Exception {
        ClassicHttpResponse r = client.executeOpen(null, new HttpGet(url), null);
        r.getCode(); // the bug: the one error path that never closes
    }

    static void viaWrapper(Wrapper wrapper, String url) throws Exception {
        ClassicHttpResponse r = wrapper.fetch(url);
        r.getCode(); // the bug: the wrapper hands the response over, the caller never closes it
    }

    static void keepLeaking(String url) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.getResponseCode(); // the bug: the error stream is never read nor closed
    }
}
