package dev.forensics.report;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Findings to the application's own log: its SLF4J logger named {@code forensics} when the application has SLF4J
 * with a provider, found reflectively at the first finding (never at start-up, which could initialise the
 * application's logging before it configured it), else one line on stderr. We never bundle a binding.
 */
final class LogSink {
    private final String mode;
    private volatile boolean resolved;
    private MethodHandle warn;
    private MethodHandle info;
    private Object logger;

    LogSink(String mode) {
        this.mode = mode;
    }

    boolean off() {
        return "off".equals(mode);
    }

    void log(Finding.Severity severity, String message) {
        if ("off".equals(mode)) {
            return;
        }
        if (!"stderr".equals(mode)) {
            if (!resolved) {
                resolve();
            }
            if (logger != null) {
                try {
                    (severity == Finding.Severity.INFO ? info : warn).invoke(logger, Printable.line(message));
                    return;
                } catch (Throwable t) {
                    logger = null; // the application's logging broke or shut down: stderr from here on
                }
            }
        }
        Stderr.line("[forensics] " + message);
    }

    private synchronized void resolve() {
        if (resolved) {
            return;
        }
        try {
            for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader()}) {
                if (loader != null && hasProvider(loader)) {
                    Class<?> factory = Class.forName("org.slf4j.LoggerFactory", true, loader);
                    Class<?> loggerType = Class.forName("org.slf4j.Logger", false, loader);
                    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                    logger = lookup.findStatic(factory, "getLogger", MethodType.methodType(loggerType, String.class))
                            .invoke("forensics");
                    warn = lookup.findVirtual(loggerType, "warn", MethodType.methodType(void.class, String.class));
                    info = lookup.findVirtual(loggerType, "info", MethodType.methodType(void.class, String.class));
                    break;
                }
            }
        } catch (Throwable t) {
            logger = null;
        }
        resolved = true;
    }

    /** SLF4J without a provider prints its own warning and logs nowhere; then stderr is the honest choice. */
    private static boolean hasProvider(ClassLoader loader) {
        return loader.getResource("org/slf4j/LoggerFactory.class") != null
                && (loader.getResource("META-INF/services/org.slf4j.spi.SLF4JServiceProvider") != null
                        || loader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null);
    }
}
