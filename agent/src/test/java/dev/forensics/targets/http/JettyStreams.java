package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.io.InputStream;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.InputStreamResponseListener;

/**
 * Jetty 12 streams left half-way, as a target: {@code JettyStreams <dir>}. Two hundred calls closed the idiomatic
 * ways, then a stream read one byte and dropped, and a stream asked for and never read (its request with a total
 * timeout), both of 200 responses; then garbage collections until the journal names both sites.
 */
public final class JettyStreams {
    public static void main(String[] args) throws Exception {
        String dir = args[0];
        AgentReady.await(dir);
        try (LoopbackServer server = LoopbackServer.start(false, Paths.get(dir).toAbsolutePath().getParent());
             JettyBodyClient client = new JettyBodyClient()) {
            String base = server.base();
            for (int i = 0; i < 200; i++) {
                client.cleanCall(base + (i % 4 == 3 ? "/big" : "/ok") + "?token=" + HttpBodies.SECRET + "&i=" + i, i);
            }
            System.out.println("CLEAN 200");
            Thread.sleep(1100); // a fresh second of stack budget, as HttpBodies.leak
            partlyRead(client, base + "/big/partly?token=" + HttpBodies.SECRET);
            neverRead(client, base + "/ok/unread?token=" + HttpBodies.SECRET);
            System.out.println("LEAKED");
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline
                    && !(HttpBodies.journal(dir).contains("JettyStreams.partlyRead(") && HttpBodies.journal(dir).contains("JettyStreams.neverRead("))) {
                System.gc();
                Thread.sleep(100);
            }
        }
        System.out.println("DONE");
    }

    static void partlyRead(JettyBodyClient client, String url) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        client.request(url).send(listener);
        listener.get(30, TimeUnit.SECONDS);
        InputStream in = listener.getInputStream();
        if (in.read() < 0) {
            throw new IllegalStateException("empty body");
        }
        // the bug: returns with the rest of the body unread and the stream open
    }

    /** With a total timeout, which takes the connection back before the idle timeout would: still the caller's leak. */
    static void neverRead(JettyBodyClient client, String url) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        client.request(url).timeout(1500, TimeUnit.MILLISECONDS).send(listener);
        if (listener.get(30, TimeUnit.SECONDS).getStatus() != 200) {
            throw new IllegalStateException("not a 200");
        }
        listener.getInputStream(); // the bug: asked for, never read, never closed
    }
}
