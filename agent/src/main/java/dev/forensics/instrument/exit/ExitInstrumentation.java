package dev.forensics.instrument.exit;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.TerminationHooks;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code Runtime.exit} and {@code Runtime.halt}: every {@code System.exit} goes through the first, and the
 * second skips shutdown hooks and JFR's dump, so the caller's thread and stack must be on disk before it
 * proceeds. {@code Shutdown.exit}, which signals use, is deliberately not matched: the signal path records its
 * own sender and this keeps "who called exit" meaning a Java caller.
 */
public final class ExitInstrumentation {
    private ExitInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.jdk("exit.exit", Feature.TERMINATION, "java.lang.Runtime", named("exit").and(takesArguments(int.class)), ExitAdvice.class),
                Hook.jdk("exit.halt", Feature.TERMINATION, "java.lang.Runtime", named("halt").and(takesArguments(int.class)), HaltAdvice.class));
    }

    public static class ExitAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) int status) {
            TerminationHooks.exit(status);
        }
    }

    public static class HaltAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) int status) {
            TerminationHooks.halt(status);
        }
    }
}
