package dev.forensics.bootstrap;

import java.io.FileDescriptor;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What advice on socket, channel, TLS and standard-stream writes calls, and only when a write has thrown: the
 * success path of every instrumented write is a null check in the advice and never reaches this class. The agent
 * registers the listener; until it does, and while a feature is off, the hooks return at once.
 */
public final class PipeHooks {
    /** Which write path failed; the layer the application called. */
    public static final int SOCKET = 0;

    public static final int CHANNEL = 1;
    public static final int TLS = 2;

    /** Receives failed writes on the writing thread, after the JDK released its own locks. */
    public interface Listener {
        /**
         * @param layer   {@link #SOCKET}, {@link #CHANNEL} or {@link #TLS}
         * @param peer    an InetAddress (with {@code port}), a SocketAddress, or a Socket (TLS), possibly null
         * @param port    the remote port when {@code peer} is an InetAddress, else -1
         * @param bytes   bytes the failed call tried to write
         */
        void socketWriteFailed(int layer, Throwable error, Object peer, int port, long bytes);

        /** A write to fd 1 ({@code stderr == false}) or fd 2 failed. */
        void stdStreamWriteFailed(boolean stderr, Throwable error);
    }

    private static volatile Listener listener;

    private PipeHooks() {}

    public static void register(Listener l) {
        listener = l;
    }

    /** {@code NioSocketImpl.write(byte[], int, int)}: the plain socket under every Socket output stream. */
    public static void socketWriteFailed(Throwable error, Object address, int port, int len) {
        socket(SOCKET, error, address, port, len);
    }

    /** {@code SocketChannelImpl.write(ByteBuffer)}; what remains in the buffer is what it failed to write. */
    public static void channelWriteFailed(Throwable error, SocketAddress remote, ByteBuffer src) {
        socket(CHANNEL, error, remote, -1, src == null ? 0 : src.remaining());
    }

    /** {@code SocketChannelImpl.write(ByteBuffer[], int, int)}, the gathering write. */
    public static void channelGatherFailed(
            Throwable error, SocketAddress remote, ByteBuffer[] srcs, int offset, int length) {
        long bytes = 0;
        if (srcs != null) {
            for (int i = Math.max(0, offset), end = Math.min(srcs.length, offset + length); i < end; i++) {
                if (srcs[i] != null) {
                    bytes += srcs[i].remaining();
                }
            }
        }
        socket(CHANNEL, error, remote, -1, bytes);
    }

    /** {@code SocketChannelImpl.blockingWriteFully}: the output stream of {@code SocketChannel.socket()}. */
    public static void channelStreamWriteFailed(Throwable error, SocketAddress remote, int len) {
        socket(CHANNEL, error, remote, -1, len);
    }

    /** {@code SSLSocketImpl.AppOutputStream.write}: {@code sslSocket} is the SSLSocket the application wrote to. */
    public static void tlsWriteFailed(Throwable error, Object sslSocket, int len) {
        socket(TLS, error, sslSocket, -1, len);
    }

    /** {@code FileOutputStream.write*}: only the descriptors behind System.out and System.err are of interest. */
    public static void fileWriteFailed(Throwable error, FileDescriptor fd) {
        if (fd != FileDescriptor.out && fd != FileDescriptor.err) {
            return;
        }
        Listener l = listener;
        if (l == null || !Feature.enabled(Feature.STDSTREAMS) || !Reentry.enter(Feature.STDSTREAMS)) {
            return;
        }
        try {
            l.stdStreamWriteFailed(fd == FileDescriptor.err, error);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.STDSTREAMS);
        } finally {
            Reentry.exit(Feature.STDSTREAMS);
        }
    }

    private static void socket(int layer, Throwable error, Object peer, int port, long bytes) {
        Listener l = listener;
        // Re-entry: reporting a loop may log through an appender that writes to the very socket that is failing.
        if (l == null || !Feature.enabled(Feature.PIPES) || !Reentry.enter(Feature.PIPES)) {
            return;
        }
        try {
            l.socketWriteFailed(layer, error, peer, port, bytes);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.PIPES);
        } finally {
            Reentry.exit(Feature.PIPES);
        }
    }
}
