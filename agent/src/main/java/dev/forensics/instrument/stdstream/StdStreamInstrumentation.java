package dev.forensics.instrument.stdstream;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;

import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.PipeHooks;
import dev.forensics.instrument.Hook;
import java.io.FileDescriptor;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * The public {@code java.io.FileOutputStream.write} methods, because System.out and System.err end in a
 * FileOutputStream over {@code FileDescriptor.out/err} and {@code PrintStream} swallows the IOException it throws
 * once the reader of a pipe is gone (the JVM ignores SIGPIPE, so the write fails with EPIPE instead of killing the
 * process). The native {@code writeBytes} cannot carry advice; every public write reaches it in one step. Every
 * file write in the process passes here, so the success path is one null check and the descriptor test waits for
 * a failure.
 */
public final class StdStreamInstrumentation {
    private StdStreamInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(Hook.jdk("stdstreams.write", Feature.STDSTREAMS, "java.io.FileOutputStream",
                named("write").and(isPublic()), WriteAdvice.class));
    }

    public static class WriteAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown, @Advice.FieldValue("fd") FileDescriptor fd) {
            if (thrown != null) {
                PipeHooks.fileWriteFailed(thrown, fd);
            }
        }
    }
}
