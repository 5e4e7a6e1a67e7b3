package dev.forensics.samples.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The AI API the proxy relays to, on loopback: {@code /v1/chat/ok} answers 200, {@code /v1/chat/overloaded} answers
 * 500 with a JSON error body, {@code /config} answers 503. Bodies are larger than a socket buffer's worth of
 * read-ahead, so a body nobody reads or closes really holds its connection.
 */
final class Upstream {
    private static final byte[] ANSWER = body("{\"choices\":[{\"text\":\"", "hello", "\"}]}");
    private static final byte[] OVERLOADED = body("{\"error\":{\"type\":\"overloaded\",\"message\":\"", "try later", "\"}}");
    private static final byte[] UNAVAILABLE = body("{\"error\":\"", "config store unavailable", "\"}");

    private final HttpServer server;

    private Upstream(HttpServer server) {
        this.server = server;
    }

    static Upstream start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "upstream");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/chat/ok", ex -> answer(ex, 200, ANSWER));
        server.createContext("/v1/chat/overloaded", ex -> answer(ex, 500, OVERLOADED));
        server.createContext("/config", ex -> answer(ex, 503, UNAVAILABLE));
        server.start();
        return new Upstream(server);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        } catch (IOException peerGone) {
            // a client that never reads the body leaves us blocked until it closes: that is the leak we reproduce
        }
        ex.close();
    }

    private static byte[] body(String head, String text, String tail) {
        return (head + text + " " + "x".repeat(32 * 1024) + tail).getBytes(StandardCharsets.UTF_8);
    }
}
