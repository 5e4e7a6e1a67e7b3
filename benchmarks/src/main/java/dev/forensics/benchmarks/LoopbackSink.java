package dev.forensics.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/** A healthy peer on 127.0.0.1 that reads and discards everything, on a daemon thread: what a writer benchmark writes to. */
final class LoopbackSink implements AutoCloseable {
    private final ServerSocket server;
    final AtomicLong bytes = new AtomicLong();

    LoopbackSink() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::drain, "loopback-sink");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void drain() {
        byte[] buf = new byte[1 << 17];
        try (Socket s = server.accept();
                InputStream in = s.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                bytes.addAndGet(n);
            }
        } catch (IOException e) {
            // the writer closed; the benchmark is over
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
