package dev.forensics.instrument.halt;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code Runtime.halt} runs no shutdown hooks, so the leak feature's exit summary (bodies still open, by origin site)
 * is written here, on the halting thread, before the JVM acts. Every other way out (return from main,
 * {@code System.exit}, SIGTERM/SIGINT/SIGHUP) runs the feature's shutdown hook.
 */
public final class HaltInstrumentation {
    private HaltInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(Hook.jdk("leaks.halt", Feature.LEAKS, "java.lang.Runtime", named("halt").and(takesArguments(int.class)), HaltAdvice.class));
    }

    public static class HaltAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            BodyHooks.halting();
        }
    }
}
