package dev.forensics.targets.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Paths;

/**
 * A batch job that leaks error bodies in its first moments and ends: JDK HttpClient and HttpURLConnection, ten of
 * each, without waiting for the agent. Prints how long after main's first line the last body was obtained.
 */
public final class EarlyLeaks {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        try (LoopbackServer server = LoopbackServer.start(false, Paths.get(args[0]).toAbsolutePath().getParent())) {
            String base = server.base();
            HttpClient jdk = HttpClient.newHttpClient();
            for (int i = 0; i < 10; i++) {
                HttpResponse<InputStream> r = jdk.send(HttpRequest.newBuilder(URI.create(base + "/error/jdk")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() != 500) {
                    throw new IllegalStateException("status " + r.statusCode());
                }
            }
            for (int i = 0; i < 10; i++) {
                HttpURLConnection c = (HttpURLConnection) new URL(base + "/error/urlconnection").openConnection();
                try {
                    c.getInputStream().close();
                } catch (IOException expected) {
                    // a 500: the error body is left open, the leak under test
                }
            }
            System.out.println("LEAKED 20 within " + (System.nanoTime() - t0) / 1_000_000 + " ms of main");
        }
    }
}
