package dev.forensics.instrument.socket;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.PipeHooks;
import dev.forensics.instrument.Hook;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code sun.nio.ch.SocketChannelImpl}: {@code write(ByteBuffer)} and the gathering {@code write(ByteBuffer[], int,
 * int)}, blocking or not (both public on 17 and 25; on 25 they delegate to private {@code implWrite}, which is left
 * alone so a failure is seen once), and {@code blockingWriteFully}, which the output stream of
 * {@code SocketChannel.socket()} uses instead of {@code write}.
 */
public final class SocketChannelWriteInstrumentation {
    private static final String TYPE = "sun.nio.ch.SocketChannelImpl";

    private SocketChannelWriteInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.jdk("pipes.channel.write", Feature.PIPES, TYPE, named("write").and(takesArguments(ByteBuffer.class)), WriteAdvice.class),
                Hook.jdk("pipes.channel.gather", Feature.PIPES, TYPE,
                        named("write").and(takesArguments(ByteBuffer[].class, int.class, int.class)), GatherAdvice.class),
                Hook.jdk("pipes.channel.stream", Feature.PIPES, TYPE,
                        named("blockingWriteFully").and(takesArguments(byte[].class, int.class, int.class)), StreamAdvice.class));
    }

    public static class WriteAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown, @Advice.FieldValue("remoteAddress") SocketAddress remote,
                         @Advice.Argument(0) ByteBuffer src) {
            if (thrown != null) {
                PipeHooks.channelWriteFailed(thrown, remote, src);
            }
        }
    }

    public static class GatherAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown, @Advice.FieldValue("remoteAddress") SocketAddress remote,
                         @Advice.Argument(0) ByteBuffer[] srcs, @Advice.Argument(1) int offset, @Advice.Argument(2) int length) {
            if (thrown != null) {
                PipeHooks.channelGatherFailed(thrown, remote, srcs, offset, length);
            }
        }
    }

    public static class StreamAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown, @Advice.FieldValue("remoteAddress") SocketAddress remote,
                         @Advice.Argument(2) int len) {
            if (thrown != null) {
                PipeHooks.channelStreamWriteFailed(thrown, remote, len);
            }
        }
    }
}
