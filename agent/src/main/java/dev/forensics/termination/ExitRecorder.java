package dev.forensics.termination;

import dev.forensics.bootstrap.TerminationHooks;
import dev.forensics.report.Finding;
import dev.forensics.report.Reporter;
import dev.forensics.report.Sites;

/** Names the Java caller of {@code System.exit}/{@code Runtime.halt} and its thread, before the JVM acts. */
final class ExitRecorder implements TerminationHooks.Listener {
    @Override
    public void exitRequested(int status, boolean halt) {
        Thread t = Thread.currentThread();
        StackTraceElement caller = callerOf(new Throwable().getStackTrace());
        String verdict = (halt ? "Runtime.halt(" : "System.exit(") + status + ") called by "
                + (caller == null ? "unknown code" : Sites.frame(caller))
                + " on thread \"" + t.getName() + "\"";
        Reporter.report(Finding.warn("exit", "exit:" + verdict, verdict));
        Reporter.flush();
    }

    /** The first frame outside the JDK's exit plumbing and our own hook. */
    static StackTraceElement callerOf(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (Sites.isAgentFrame(c) || c.equals("java.lang.Runtime") || c.equals("java.lang.System")
                    || c.equals("java.lang.Shutdown")) {
                continue;
            }
            return e;
        }
        return null;
    }
}
