package dev.forensics.pipe;

import dev.forensics.report.Sites;
import java.lang.StackWalker.StackFrame;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The code that made a failed write: the first frame on the writing thread that is neither the agent nor the JDK,
 * found with a lazy StackWalker that stops there (the failure path only; a healthy write never walks). The same walk
 * tells whether the write ran under the JDK's TLS implementation, so a plain-socket failure beneath an SSLSocket
 * write is left to the TLS hook and counted once.
 */
final class WriteSite {
    private static final StackWalker WALKER =
            StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));
    static final int STACK_DEPTH = 10;

    /**
     * {@code frame} is e.g. {@code com.acme.Relay.pump(Relay.java:42)}; {@code underTls} when sun.security.ssl was on
     * the way; {@code byAgent} when the write was the agent's own (a report line on stderr).
     */
    record Site(String frame, boolean underTls, boolean byAgent) {}

    private WriteSite() {}

    static Site find() {
        return WALKER.walk(FIND);
    }

    /** The site and up to {@link #STACK_DEPTH} - 1 of its callers, for the one report that names a loop. */
    static List<String> stack() {
        return WALKER.walk(STACK);
    }

    private static final Function<Stream<StackFrame>, Site> FIND = frames -> {
        boolean tls = false;
        boolean agent = false;
        String fallback = null;
        for (Iterator<StackFrame> it = frames.iterator(); it.hasNext(); ) {
            StackFrame f = it.next();
            Class<?> c = f.getDeclaringClass();
            String name = c.getName();
            if (Sites.isAgentFrame(name)) {
                agent |= name.startsWith("dev.forensics.report.");
                continue;
            }
            if (isJdk(c)) {
                if (name.startsWith("sun.security.ssl.")) {
                    tls = true;
                }
                if (fallback == null && !isWritePlumbing(name)) {
                    fallback = Sites.frame(f.toStackTraceElement());
                }
                continue;
            }
            return new Site(Sites.frame(f.toStackTraceElement()), tls, agent);
        }
        // Only JDK frames: a JDK thread wrote (e.g. the HTTP client's selector); name the first one above the I/O
        // plumbing.
        return new Site(fallback == null ? "unknown code" : fallback, tls, agent);
    };

    private static final Function<Stream<StackFrame>, List<String>> STACK = frames -> {
        List<StackFrame> seen = new ArrayList<>();
        for (Iterator<StackFrame> it = frames.iterator(); it.hasNext() && seen.size() < 256; ) {
            StackFrame f = it.next();
            if (!Sites.isAgentFrame(f.getClassName())) {
                seen.add(f);
            }
        }
        int start = -1;
        int fallback = -1;
        for (int i = 0; i < seen.size() && start < 0; i++) {
            Class<?> c = seen.get(i).getDeclaringClass();
            if (!isJdk(c)) {
                start = i;
            } else if (fallback < 0 && !isWritePlumbing(c.getName())) {
                fallback = i;
            }
        }
        if (start < 0) {
            start = Math.max(fallback, 0);
        }
        List<String> out = new ArrayList<>();
        for (int i = start; i < seen.size() && out.size() < STACK_DEPTH; i++) {
            out.add(Sites.frame(seen.get(i).toStackTraceElement()));
        }
        return out;
    };

    /** A class of the JDK itself: named module java.* or jdk.* (an application on the module path has its own names). */
    static boolean isJdk(Class<?> c) {
        Module m = c.getModule();
        if (!m.isNamed()) {
            return false;
        }
        String n = m.getName();
        return n.startsWith("java.") || n.startsWith("jdk.");
    }

    /** The JDK's own stream and socket classes between a caller and the failing system call. */
    private static boolean isWritePlumbing(String className) {
        return className.startsWith("java.io.")
                || className.startsWith("java.net.")
                || className.startsWith("java.nio.")
                || className.startsWith("sun.nio.")
                || className.startsWith("sun.security.ssl.")
                || className.startsWith("sun.net.")
                || className.startsWith("java.lang.System")
                || className.startsWith("jdk.internal.misc.");
    }
}
