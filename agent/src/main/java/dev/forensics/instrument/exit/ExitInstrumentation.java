package dev.forensics.instrument.exit;

import static dev.forensics.instrument.Hook.Arg.param;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * Where the JVM decides to end: {@code Runtime.exit/halt} (every {@code System.exit}; halt skips hooks and JFR's
 * dump), {@code Shutdown.runHooks} (the shutdown sequence starts, whatever started it, and ends), {@code
 * Shutdown.shutdown} (DestroyJavaVM found no non-daemon thread left), {@code Thread.dispatchUncaughtException} (a
 * thread, maybe main, dies of an exception) and {@code jdk.internal.misc.Signal.handle} (which replaces our native
 * signal handler with the JVM's, so we step aside before it and come back after). All of these classes are loaded
 * before premain, so they are retransformed there. These names are JDK internals that can change shape; the
 * self-check reports a hook that found no method as missing.
 */
public final class ExitInstrumentation {
    private static final String HOOKS = "dev/forensics/bootstrap/TerminationHooks";
    private static final String SIGNAL = "jdk.internal.misc.Signal";
    private static final String HANDLE =
            "(Ljdk/internal/misc/Signal;Ljdk/internal/misc/Signal$Handler;)Ljdk/internal/misc/Signal$Handler;";

    private ExitInstrumentation() {}

    public static List<Hook> hooks() {
        int t = Feature.TERMINATION;
        return List.of(
                Hook.jdk("exit.exit", t, "java.lang.Runtime", "exit", "(I)V").atEntry(HOOKS, "exit", param(0, "I")),
                Hook.jdk("exit.halt", t, "java.lang.Runtime", "halt", "(I)V").atEntry(HOOKS, "halt", param(0, "I")),
                Hook.jdk("exit.shutdown-hooks", t, "java.lang.Shutdown", "runHooks", "()V")
                        .atEntry(HOOKS, "shutdownStarting"),
                Hook.jdk("exit.shutdown-hooks-done", t, "java.lang.Shutdown", "runHooks", "()V")
                        .atExit(HOOKS, "shutdownHooksDone"),
                Hook.jdk("exit.last-thread", t, "java.lang.Shutdown", "shutdown", "()V")
                        .atEntry(HOOKS, "lastThreadEnded"),
                Hook.jdk(
                                "exit.uncaught",
                                t,
                                "java.lang.Thread",
                                "dispatchUncaughtException",
                                "(Ljava/lang/Throwable;)V")
                        .atEntry(HOOKS, "uncaught", param(0, "Ljava/lang/Throwable;")),
                Hook.jdk("exit.signal-handle", t, SIGNAL, "handle", HANDLE)
                        .atEntry(HOOKS, "signalHandlerChanging", param(0), param(1)),
                Hook.jdk("exit.signal-handled", t, SIGNAL, "handle", HANDLE)
                        .atExit(HOOKS, "signalHandlerChanged", param(0), param(1)));
    }
}
