package dev.forensics.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The other end of a target's socket, in the test JVM (no agent) on 127.0.0.1: a peer that goes away right after
 * accepting (closing, or resetting with SO_LINGER 0), or after a TLS handshake, or a healthy one that reads
 * everything. One connection at a time, on a daemon thread.
 */
public final class LoopbackPeer implements AutoCloseable {
    public enum Mode { CLOSE, RESET, READ, TLS_RESET }

    public static final String STORE_PASSWORD = "changeit";

    private final ServerSocket server;
    private final Mode mode;
    private final SSLContext tls;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;

    public LoopbackPeer(Mode mode) {
        this(mode, null);
    }

    /** {@code keyStore}: a PKCS12 store made by {@link #selfSignedKeyStore}, for the TLS modes. */
    public LoopbackPeer(Mode mode, Path keyStore) {
        this.mode = mode;
        try {
            this.tls = keyStore == null ? null : serverContext(keyStore);
            this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        acceptor = new Thread(this::serve, "loopback-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long connections() {
        return connections.get();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket raw = server.accept()) {
                connections.incrementAndGet();
                switch (mode) {
                    case CLOSE:
                        break;
                    case RESET:
                        raw.setSoLinger(true, 0);
                        break;
                    case READ:
                        drain(raw.getInputStream());
                        break;
                    case TLS_RESET:
                        // Finish the handshake, then reset the TCP connection under TLS without a close_notify, as a
                        // crashed peer would: the client's next TLS writes fail in the plain socket beneath.
                        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), false);
                        s.setUseClientMode(false);
                        s.startHandshake();
                        raw.setSoLinger(true, 0);
                        break;
                    default:
                        throw new IllegalStateException(mode.name());
                }
            } catch (SocketException e) {
                if (server.isClosed()) {
                    return;
                }
            } catch (IOException e) {
                // a client that vanished mid-handshake; wait for the next
            }
        }
    }

    private void drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
            bytesRead.addAndGet(n);
        }
    }

    /** A PKCS12 key store with a self-signed EC certificate for 127.0.0.1, made by the JDK's own keytool. */
    public static Path selfSignedKeyStore(Jdk jdk, Path dir) {
        Path store = dir.resolve("peer.p12");
        try {
            Files.deleteIfExists(store);
            ProcessBuilder pb = new ProcessBuilder(jdk.home().resolve("bin").resolve("keytool").toString(), "-genkeypair",
                    "-alias", "peer", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
                    .redirectErrorStream(true);
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(store)) {
                throw new IllegalStateException("keytool failed: " + out);
            }
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext serverContext(Path keyStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a listening socket on loopback does not fail in a way a test could act on
        }
    }
}
