package dev.forensics.targets.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTP (or HTTPS) server on 127.0.0.1 for the client under test. Paths: /ok → 200, /error → 500 (small bodies
 * with content-length), /big → 200 with 512 KiB (more than any client buffers, so the connection stays busy until the
 * body is read), /big-error → 500 with the same 512 KiB, /huge → 200 with 32 MiB (more than a socket holds: a client that reads none of it never sees its
 * end, and its connection stays busy), /close → 200 and the server closes the connection afterwards (a client that never closes its body
 * is left with a socket in CLOSE_WAIT). Any other path → 200.
 */
public final class LoopbackServer implements AutoCloseable {
    static final byte[] SMALL = "hello from the loopback server\n".repeat(4).getBytes(StandardCharsets.UTF_8);
    static final byte[] ERROR = "{\"error\":\"upstream failed\"}\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] BIG = new byte[512 * 1024];

    static {
        Arrays.fill(BIG, (byte) 'x');
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-server");
        t.setDaemon(true);
        return t;
    });
    private final SSLContext ssl;

    private LoopbackServer(boolean https, Path workDir) throws Exception {
        // Headers and body go out as two writes; without TCP_NODELAY, Nagle holds the second until the client's
        // delayed ACK (40 ms), which would measure the kernel, not the client.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (https) {
            ssl = selfSigned(workDir);
            HttpsServer s = HttpsServer.create(address, 1000);
            s.setHttpsConfigurator(new HttpsConfigurator(ssl));
            server = s;
        } else {
            ssl = null;
            server = HttpServer.create(address, 1000);
        }
        server.createContext("/", LoopbackServer::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static LoopbackServer start(boolean https, Path workDir) throws Exception {
        return new LoopbackServer(https, workDir);
    }

    /** The SSL context trusting this server's self-signed certificate, for HTTPS clients. */
    public SSLContext clientSsl() {
        return ssl;
    }

    public String base() {
        return (ssl != null ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        String path = ex.getRequestURI().getPath();
        byte[] body = path.startsWith("/error") ? ERROR : path.startsWith("/big") || path.startsWith("/huge") ? BIG : SMALL;
        int status = path.startsWith("/error") || path.startsWith("/big-error") ? 500 : 200;
        if (path.startsWith("/close")) {
            ex.getResponseHeaders().set("Connection", "close");
        }
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        int repeat = path.startsWith("/huge") ? 64 : 1;
        try {
            ex.sendResponseHeaders(status, (long) body.length * repeat);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < repeat; i++) {
                    out.write(body);
                }
            }
        } catch (IOException clientWentAway) {
            // a client that dropped its body mid-transfer; nothing to do
        } finally {
            ex.close();
        }
    }

    private static SSLContext selfSigned(Path workDir) throws Exception {
        Path store = workDir.resolve("loopback.p12");
        if (!Files.exists(store)) {
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", "loopback",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
