package dev.forensics.termination;

import dev.forensics.report.Sites;
import java.util.ArrayList;
import java.util.List;

/** Names the Java caller of {@code System.exit}/{@code Runtime.halt} and its thread, before the JVM acts. */
final class ExitRecorder {
    static final int STACK_FRAMES = 40;

    private ExitRecorder() {}

    /** The cause for an exit or halt requested on the current thread. */
    static Cause cause(int status, boolean halt) {
        Thread t = Thread.currentThread();
        StackTraceElement[] stack = new Throwable().getStackTrace();
        StackTraceElement callerFrame = callerOf(stack);
        String caller = callerFrame == null ? null : Sites.frame(callerFrame);
        String verdict = Verdicts.exit(status, halt, caller, t.getName());
        List<String> details = new ArrayList<>();
        details.add((halt ? "Runtime.halt(" : "Runtime.exit(") + status + ") on thread \"" + t.getName() + "\""
                + (t.isDaemon() ? " (daemon)" : "") + ", called from:");
        int shown = 0;
        boolean started = false;
        for (StackTraceElement e : stack) {
            if (!started && e != callerFrame) {
                continue; // skip our hook and the JDK's exit plumbing above the caller
            }
            started = true;
            if (shown++ >= STACK_FRAMES) {
                details.add("      … " + (stack.length - shown + 1) + " more");
                break;
            }
            details.add("      at " + Sites.frame(e));
        }
        if (halt) {
            details.add("Runtime.halt skips the shutdown hooks and JFR's dump on exit: nothing after this point runs");
        }
        return Cause.call(
                halt ? Cause.Kind.HALT : Cause.Kind.EXIT,
                verdict,
                details,
                status,
                System.currentTimeMillis(),
                caller,
                t.getName());
    }

    /** The first frame outside the JDK's exit plumbing and our own hook. */
    static StackTraceElement callerOf(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (Sites.isAgentFrame(c)
                    || c.equals("java.lang.Runtime")
                    || c.equals("java.lang.System")
                    || c.equals("java.lang.Shutdown")
                    || c.equals("java.security.AccessController")) { // PrivilegedListener's
                continue;
            }
            return e;
        }
        return null;
    }
}
