package dev.forensics.instrument.socket;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.PipeHooks;
import dev.forensics.instrument.Hook;
import java.net.InetAddress;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code sun.nio.ch.NioSocketImpl.write(byte[], int, int)}, the JDK's plain socket since 13: every
 * {@code Socket.getOutputStream()} write ends here (on 17 and 25 alike, private, same shape), whether the caller
 * is the application, an HTTP client or the TLS layer. Under TLS the failure is counted once, at the TLS write the
 * application called; the recorder recognises those frames on the failure path, so a healthy write pays nothing.
 * The public {@code write(int)} path goes through this method too.
 */
public final class SocketWriteInstrumentation {
    private SocketWriteInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(Hook.jdk("pipes.socket.write", Feature.PIPES, "sun.nio.ch.NioSocketImpl",
                named("write").and(takesArguments(byte[].class, int.class, int.class)), WriteAdvice.class));
    }

    public static class WriteAdvice {
        /** Success path: one null check; the fields are read from {@code java.net.SocketImpl}, never computed. */
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown, @Advice.FieldValue("address") InetAddress address,
                         @Advice.FieldValue("port") int port, @Advice.Argument(2) int len) {
            if (thrown != null) {
                PipeHooks.socketWriteFailed(thrown, address, port, len);
            }
        }
    }
}
