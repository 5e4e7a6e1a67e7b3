package dev.forensics.instrument.stdstream;

import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.thrown;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * The public {@code java.io.FileOutputStream.write} methods, because System.out and System.err end in a
 * FileOutputStream over {@code FileDescriptor.out/err} and {@code PrintStream} swallows the IOException it throws
 * once the reader of a pipe is gone (the JVM ignores SIGPIPE, so the write fails with EPIPE instead of killing the
 * process). The native writes cannot carry woven code (the weaver skips them); every public write reaches one in one
 * step. Every file write in the process passes here, so only the failure is woven: a healthy write runs nothing.
 */
public final class StdStreamInstrumentation {
    private StdStreamInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(Hook.jdk("stdstreams.write", Feature.STDSTREAMS, "java.io.FileOutputStream", "write", null)
                .onThrow(
                        "dev/forensics/bootstrap/PipeHooks",
                        "fileWriteFailed",
                        thrown(),
                        field("fd", "Ljava/io/FileDescriptor;")));
    }
}
