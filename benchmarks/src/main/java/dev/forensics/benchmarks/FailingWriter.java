package dev.forensics.benchmarks;

import dev.forensics.bootstrap.PipeHooks;
import java.net.InetAddress;
import java.net.SocketAddress;

/**
 * The application's side of {@code FailedWriteBenchmark}: the frames that call the pipe hooks live outside the
 * agent's packages, so the writing site the recorder finds is one of these methods, as it would be the
 * application's code.
 */
public final class FailingWriter {
    private FailingWriter() {}

    public static void socketWrite(Throwable error, InetAddress address, int port) {
        PipeHooks.socketWriteFailed(error, address, port, 128);
    }

    public static void socketWriteElsewhere(Throwable error, InetAddress address, int port) {
        PipeHooks.socketWriteFailed(error, address, port, 128);
    }

    public static void channelWrite(Throwable error, SocketAddress remote) {
        PipeHooks.channelStreamWriteFailed(error, remote, 128);
    }
}
