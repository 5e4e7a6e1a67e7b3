package dev.forensics.report;

import java.lang.reflect.Method;

/**
 * Whether a class's static initializer has run, asked without running it: {@code Unsafe.shouldBeInitialized} of
 * java.base's jdk.internal.misc, which the agent opens to itself at start-up or at the first question ({@link JavaBase}). For a library class of
 * the application, "initialized" means the application has used it; initializing it ourselves could have side
 * effects the application did not choose (OpenTelemetry's API starts java.util.logging, which an application server
 * may want to replace first).
 */
public final class ClassInit {
    private static volatile Object unsafe;
    private static volatile Method shouldBeInitialized;
    private static volatile boolean tried;

    private ClassInit() {}

    /** True when {@code c} is initialized, false when not, null when this JVM does not let us ask. */
    public static Boolean initialized(Class<?> c) {
        if (!tried) {
            JavaBase.openLater("jdk.internal.misc"); // open already when termination capture runs; else opened now
            try {
                Class<?> type = Class.forName("jdk.internal.misc.Unsafe", false, null);
                Object u = type.getMethod("getUnsafe").invoke(null);
                shouldBeInitialized = type.getMethod("shouldBeInitialized", Class.class);
                unsafe = u;
            } catch (Throwable t) {
                shouldBeInitialized = null;
            }
            tried = true;
        }
        Method m = shouldBeInitialized;
        if (m == null) {
            return null;
        }
        try {
            return !(Boolean) m.invoke(unsafe, c);
        } catch (Throwable t) {
            return null;
        }
    }
}
