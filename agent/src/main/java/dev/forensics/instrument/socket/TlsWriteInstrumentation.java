package dev.forensics.instrument.socket;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.PipeHooks;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code sun.security.ssl.SSLSocketImpl$AppOutputStream.write(byte[], int, int)}: what an application's write to an
 * {@code SSLSocket} calls ({@code write(int)} delegates here). The failure usually starts in the plain socket
 * underneath, which is instrumented too; the recorder counts it here, at the layer the application called, and
 * skips the plain-socket report whose stack runs through {@code sun.security.ssl}. {@code this$0} is the SSLSocket.
 */
public final class TlsWriteInstrumentation {
    private TlsWriteInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(Hook.jdk("pipes.tls.write", Feature.PIPES, "sun.security.ssl.SSLSocketImpl$AppOutputStream",
                named("write").and(takesArguments(byte[].class, int.class, int.class)), WriteAdvice.class));
    }

    public static class WriteAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown, @Advice.FieldValue("this$0") Object sslSocket,
                         @Advice.Argument(2) int len) {
            if (thrown != null) {
                PipeHooks.tlsWriteFailed(thrown, sslSocket, len);
            }
        }
    }
}
