package dev.forensics.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The loopback upstream for the HTTP overhead benchmarks, run in its own JVM (never with the agent) so the measured
 * process is the client alone. Prints its port, then serves until killed: every path answers 200 with a small body.
 */
public final class BenchServer {
    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        byte[] body = "{\"answer\":\"42\",\"padding\":\"0123456789012345678901234567890123456789\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        // Headers and body go out as two writes; without TCP_NODELAY, Nagle holds the second until the client's
        // delayed ACK (40 ms), which would measure the kernel, not the client.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println(server.getAddress().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
