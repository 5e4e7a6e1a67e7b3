package dev.forensics.instrument.socket;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.thrown;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * Socket writes, woven only where they fail (a catch-all handler: a healthy write runs no woven code at all).
 * <ul>
 * <li>{@code sun.nio.ch.NioSocketImpl.write(byte[], int, int)}, the JDK's plain socket since 13: every
 * {@code Socket.getOutputStream()} write ends here (17 and 25 alike, private, same shape), whether the caller is the
 * application, an HTTP client or the TLS layer; {@code address} and {@code port} are {@code java.net.SocketImpl}'s.
 * <li>{@code sun.nio.ch.SocketChannelImpl}: {@code write(ByteBuffer)} and the gathering {@code write(ByteBuffer[], int,
 * int)}, blocking or not (on 25 they delegate to private {@code implWrite}, left alone so a failure is seen once),
 * and {@code blockingWriteFully}, which the output stream of {@code SocketChannel.socket()} uses instead.
 * <li>{@code sun.security.ssl.SSLSocketImpl$AppOutputStream.write(byte[], int, int)}: an application's write to an
 * {@code SSLSocket}. The failure usually starts in the plain socket underneath; the recorder counts it at the layer
 * the application called and skips the plain-socket report whose stack runs through {@code sun.security.ssl}.
 * </ul>
 */
public final class SocketWriteInstrumentation {
    private static final String PIPES = "dev/forensics/bootstrap/PipeHooks";
    private static final String CHANNEL = "sun.nio.ch.SocketChannelImpl";
    private static final String REMOTE = "Ljava/net/SocketAddress;";

    private SocketWriteInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.jdk("pipes.socket.write", Feature.PIPES, "sun.nio.ch.NioSocketImpl", "write", "([BII)V")
                        .onThrow(
                                PIPES,
                                "socketWriteFailed",
                                thrown(),
                                field("address", "Ljava/net/InetAddress;", OBJECT),
                                field("port", "I"),
                                param(2, "I")),
                Hook.jdk("pipes.channel.write", Feature.PIPES, CHANNEL, "write", "(Ljava/nio/ByteBuffer;)I")
                        .onThrow(
                                PIPES,
                                "channelWriteFailed",
                                thrown(),
                                field("remoteAddress", REMOTE),
                                param(0, "Ljava/nio/ByteBuffer;")),
                Hook.jdk("pipes.channel.gather", Feature.PIPES, CHANNEL, "write", "([Ljava/nio/ByteBuffer;II)J")
                        .onThrow(
                                PIPES,
                                "channelGatherFailed",
                                thrown(),
                                field("remoteAddress", REMOTE),
                                param(0, "[Ljava/nio/ByteBuffer;"),
                                param(1, "I"),
                                param(2, "I")),
                Hook.jdk("pipes.channel.stream", Feature.PIPES, CHANNEL, "blockingWriteFully", "([BII)V")
                        .onThrow(
                                PIPES,
                                "channelStreamWriteFailed",
                                thrown(),
                                field("remoteAddress", REMOTE),
                                param(2, "I")),
                Hook.jdk(
                                "pipes.tls.write",
                                Feature.PIPES,
                                "sun.security.ssl.SSLSocketImpl$AppOutputStream",
                                "write",
                                "([BII)V")
                        .onThrow(
                                PIPES,
                                "tlsWriteFailed",
                                thrown(),
                                field("this$0", "Lsun/security/ssl/SSLSocketImpl;", OBJECT),
                                param(2, "I")));
    }
}
