package dev.forensics.cli.targets;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * A service that has used its HTTP clients before the agent arrives (every client class is loaded), then, once the
 * file {@code go} appears in its working directory (after the test attached the agent), leaks five error bodies
 * with each client and idles.
 */
public final class LeakAfterAttach {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            byte[] body = "{\"error\":\"upstream failed\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.sendResponseHeaders(x.getRequestURI().getPath().startsWith("/error") ? 500 : 200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpClient jdk = HttpClient.newHttpClient();
            jdk.send(HttpRequest.newBuilder(URI.create(base + "/ok")).build(), HttpResponse.BodyHandlers.ofInputStream()).body().close();
            HttpURLConnection warm = (HttpURLConnection) new URL(base + "/ok").openConnection();
            warm.getInputStream().close();
            System.out.println("READY");
            while (!Files.exists(Paths.get("go"))) {
                Thread.sleep(20);
            }
            for (int i = 0; i < 5; i++) {
                leakJdk(jdk, base);
                leakUrlConnection(base);
            }
            System.out.println("LEAKED");
            Thread.sleep(120_000);
        } finally {
            server.stop(0);
        }
    }

    private static void leakJdk(HttpClient jdk, String base) throws Exception {
        HttpResponse<InputStream> r = jdk.send(HttpRequest.newBuilder(URI.create(base + "/error/jdk")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 500) {
            throw new IllegalStateException("status " + r.statusCode());
        }
    }

    private static void leakUrlConnection(String base) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(base + "/error/urlconnection").openConnection();
        try {
            c.getInputStream().close();
        } catch (IOException expected) {
            // the error body is left open
        }
    }
}
