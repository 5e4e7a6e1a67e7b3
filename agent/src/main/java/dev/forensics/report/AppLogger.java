package dev.forensics.report;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Iterator;
import java.util.Map;

/**
 * One SLF4J logger of the application, called through public method handles: levels one to one (ERROR findings to
 * {@code error}), and for Logback and Log4j 2 a look at whether the line can reach an appender at all and whether the
 * logging is stopped. Kept alive by the application's logger class only (see {@link #HOLDER}), so holding it never
 * pins the application's class loader.
 */
final class AppLogger {
    enum Shown {
        YES,
        HIDDEN,
        STOPPED
    }

    /** Values live as long as the class they are stored for: the logger lives with its application, no longer. */
    private static final ClassValue<AppLogger[]> HOLDER = new ClassValue<>() {
        @Override
        protected AppLogger[] computeValue(Class<?> type) {
            return new AppLogger[1];
        }
    };

    private final Object logger;
    private final MethodHandle error;
    private final MethodHandle warn;
    private final MethodHandle info;
    private final MethodHandle errorEnabled;
    private final Backend backend;
    private final String description;
    /** How fields travel: SLF4J 2's key-values, the MDC (SLF4J 1.7, or a binding that would print key-values into the text), or not. */
    private volatile KeyValues keyValues;

    private AppLogger(Object logger, Class<?> type, Backend backend, String description)
            throws ReflectiveOperationException {
        this.logger = logger;
        this.error = virtual(type, "error", void.class, String.class);
        this.warn = virtual(type, "warn", void.class, String.class);
        this.info = virtual(type, "info", void.class, String.class);
        this.errorEnabled = virtual(type, "isErrorEnabled", boolean.class);
        this.backend = backend;
        this.description = description;
        this.keyValues = KeyValues.of(logger, type);
    }

    /**
     * The logger {@code name} of the SLF4J that {@code loader} sees, or null when it has no provider after all (SLF4J
     * then hands out a no-op logger). Looked up with {@code loader} as this thread's context loader, as the
     * application's own threads would: some providers (Log4j 2) choose their context by it.
     */
    static AppLogger bind(ClassLoader loader, String name) throws Throwable {
        Thread self = Thread.currentThread();
        ClassLoader saved = self.getContextClassLoader();
        self.setContextClassLoader(loader);
        try {
            Class<?> factory = Class.forName("org.slf4j.LoggerFactory", true, loader);
            Class<?> type = Class.forName("org.slf4j.Logger", false, factory.getClassLoader());
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Object logger = lookup.findStatic(factory, "getLogger", MethodType.methodType(type, String.class))
                    .invoke(name);
            if (logger == null || logger.getClass().getName().equals("org.slf4j.helpers.NOPLogger")) {
                return null;
            }
            Object provider = null;
            try {
                Class<?> iFactory = Class.forName("org.slf4j.ILoggerFactory", false, factory.getClassLoader());
                provider = lookup.findStatic(factory, "getILoggerFactory", MethodType.methodType(iFactory))
                        .invoke();
            } catch (Throwable t) {
                // only for the description
            }
            Backend backend = Backend.NONE;
            try {
                backend = Backend.of(logger, loader, name);
            } catch (Throwable t) {
                // an unknown or changed provider: lines go to it unchecked
            }
            String description = framework(provider == null ? logger.getClass() : provider.getClass()) + " via "
                    + Loaders.describe(loader);
            AppLogger bound = new AppLogger(logger, type, backend, description);
            HOLDER.get(logger.getClass())[0] = bound;
            return bound;
        } finally {
            self.setContextClassLoader(saved);
        }
    }

    /** Writes the line at the finding's level; says whether the application's log shows it. Throws when its logging broke. */
    Shown log(Finding.Severity severity, String line) throws Throwable {
        return log(severity, line, null);
    }

    /**
     * As {@link #log(Finding.Severity, String)}, with {@code fields} as SLF4J 2 key-values, else in the MDC for the
     * call. Fields that fail to travel (a binding that rejects them) are dropped from here on; the line still goes.
     */
    Shown log(Finding.Severity severity, String line, Map<String, Object> fields) throws Throwable {
        if (backend.stopped()) {
            return Shown.STOPPED;
        }
        KeyValues kv = keyValues;
        if (fields != null && !fields.isEmpty() && kv != null) {
            try {
                if (kv.fluent(logger, severity, line, fields)) {
                    return severity != Finding.Severity.ERROR || hiddenWhy() == null ? Shown.YES : Shown.HIDDEN;
                }
            } catch (Throwable t) {
                keyValues = null;
                LogSink.note("fields of findings no longer go to SLF4J logger '" + LogSink.NAME + "' (" + t
                        + "); the lines still do");
                return log(severity, line, null); // whether the line went out is not known: at worst twice, never lost
            }
            Object[] saved = kv.putMdc(fields);
            try {
                return log(severity, line, null);
            } finally {
                kv.removeMdc(fields, saved);
            }
        }
        switch (severity) {
            case ERROR:
                error.invoke(logger, line);
                return hiddenWhy() == null ? Shown.YES : Shown.HIDDEN;
            case WARN:
                warn.invoke(logger, line);
                return Shown.YES;
            default:
                info.invoke(logger, line);
                return Shown.YES;
        }
    }

    /** Why an ERROR line would not appear in the application's log, or null when it would (or we cannot tell). */
    String hiddenWhy() {
        try {
            if (!(boolean) errorEnabled.invoke(logger)) {
                return "its level for that logger is above ERROR, or OFF";
            }
            if (!backend.reachesAppender()) {
                return "no appender reachable from that logger";
            }
        } catch (Throwable t) {
            // cannot tell: assume the log shows it
        }
        return null;
    }

    /** What to add to the application's logging configuration so the findings show. */
    String howToShow() {
        return backend.howToShow();
    }

    /** For a person: "Logback 1.5.20 via URLClassLoader 'app'". */
    String description() {
        return description;
    }

    /** "Logback 1.5.20", "Log4j 2 2.25.4", "slf4j-simple 2.0.20": the provider by the package of its logger factory. */
    static String framework(Class<?> type) {
        String n = type.getName();
        String name = n.startsWith("ch.qos.logback.")
                ? "Logback"
                : n.startsWith("org.apache.logging.slf4j.")
                        ? "Log4j 2"
                        : n.startsWith("org.slf4j.simple.") || n.startsWith("org.slf4j.impl.Simple")
                                ? "slf4j-simple"
                                : n.startsWith("org.slf4j.jul.") || n.startsWith("org.slf4j.impl.JDK14")
                                        ? "java.util.logging"
                                        : n.startsWith("org.slf4j.reload4j.")
                                                        || n.startsWith("org.slf4j.impl.Reload4j")
                                                        || n.startsWith("org.slf4j.impl.Log4j")
                                                ? "Log4j 1"
                                                : n;
        Package p = type.getPackage();
        String version = p == null ? null : p.getImplementationVersion();
        return version == null ? name : name + " " + version;
    }

    static MethodHandle virtual(Class<?> type, String name, Class<?> returns, Class<?>... params)
            throws ReflectiveOperationException {
        return MethodHandles.publicLookup().findVirtual(type, name, MethodType.methodType(returns, params));
    }

    /**
     * Fields for SLF4J: {@code atError().addKeyValue(k, v)…log(line)} when the logger takes key-values as such (a
     * {@code LoggingEventAware} logger such as Logback's, or one with its own event builder such as Log4j 2's);
     * otherwise (SLF4J 1.7, or slf4j-simple, whose SLF4J 2 would write them into the line's text) they go into the MDC,
     * put for the call and the thread's own values put back after.
     */
    static final class KeyValues {
        private static final Object NOT_PUT = new Object();
        private final MethodHandle atError;
        private final MethodHandle atWarn;
        private final MethodHandle atInfo;
        private final MethodHandle addKeyValue;
        private final MethodHandle logEvent;
        private final MethodHandle mdcGet;
        private final MethodHandle mdcPut;
        private final MethodHandle mdcRemove;

        private KeyValues(
                MethodHandle atError,
                MethodHandle atWarn,
                MethodHandle atInfo,
                MethodHandle addKeyValue,
                MethodHandle logEvent,
                MethodHandle mdcGet,
                MethodHandle mdcPut,
                MethodHandle mdcRemove) {
            this.atError = atError;
            this.atWarn = atWarn;
            this.atInfo = atInfo;
            this.addKeyValue = addKeyValue;
            this.logEvent = logEvent;
            this.mdcGet = mdcGet;
            this.mdcPut = mdcPut;
            this.mdcRemove = mdcRemove;
        }

        /** The ways this logger takes fields, or null when it takes none. */
        static KeyValues of(Object logger, Class<?> type) {
            ClassLoader api = type.getClassLoader();
            MethodHandle atError = null;
            MethodHandle atWarn = null;
            MethodHandle atInfo = null;
            MethodHandle add = null;
            MethodHandle log = null;
            try {
                Class<?> builder = Class.forName("org.slf4j.spi.LoggingEventBuilder", false, api);
                Class<?> aware = Class.forName("org.slf4j.spi.LoggingEventAware", false, api);
                Class<?> level = Class.forName("org.slf4j.event.Level", false, api);
                boolean asSuch = aware.isInstance(logger)
                        || logger.getClass().getMethod("atError").getDeclaringClass() != type
                        || logger.getClass()
                                        .getMethod("makeLoggingEventBuilder", level)
                                        .getDeclaringClass()
                                != type;
                if (asSuch) {
                    atError = virtual(type, "atError", builder);
                    atWarn = virtual(type, "atWarn", builder);
                    atInfo = virtual(type, "atInfo", builder);
                    add = virtual(builder, "addKeyValue", builder, String.class, Object.class);
                    log = virtual(builder, "log", void.class, String.class);
                }
            } catch (Throwable t) {
                atError = null; // SLF4J 1.7: no fluent API
            }
            MethodHandle get = null;
            MethodHandle put = null;
            MethodHandle remove = null;
            try {
                Class<?> mdc = Class.forName("org.slf4j.MDC", false, api);
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                get = lookup.findStatic(mdc, "get", MethodType.methodType(String.class, String.class));
                put = lookup.findStatic(mdc, "put", MethodType.methodType(void.class, String.class, String.class));
                remove = lookup.findStatic(mdc, "remove", MethodType.methodType(void.class, String.class));
            } catch (Throwable t) {
                get = null;
            }
            if (atError == null && get == null) {
                return null;
            }
            return new KeyValues(atError, atWarn, atInfo, add, log, get, put, remove);
        }

        /** Logs through the fluent API with the fields as key-values; false when this logger has none (use the MDC). */
        boolean fluent(Object logger, Finding.Severity severity, String line, Map<String, Object> fields)
                throws Throwable {
            if (atError == null) {
                return false;
            }
            Object b = (severity == Finding.Severity.ERROR
                            ? atError
                            : severity == Finding.Severity.WARN ? atWarn : atInfo)
                    .invoke(logger);
            for (Map.Entry<String, Object> e : fields.entrySet()) {
                Object v = e.getValue();
                b = addKeyValue.invoke(b, e.getKey(), v instanceof String ? Printable.line((String) v) : v);
            }
            logEvent.invoke(b, line);
            return true;
        }

        /** Puts the fields in the MDC; returns what the thread had under those names (to put back), or null without an MDC. */
        Object[] putMdc(Map<String, Object> fields) {
            if (mdcGet == null) {
                return null;
            }
            Object[] saved = new Object[fields.size()];
            java.util.Arrays.fill(saved, NOT_PUT);
            int i = 0;
            try {
                for (Map.Entry<String, Object> e : fields.entrySet()) {
                    saved[i] = mdcGet.invoke(e.getKey());
                    mdcPut.invoke(e.getKey(), Printable.line(String.valueOf(e.getValue())));
                    i++;
                }
            } catch (Throwable t) {
                // an MDC adapter that refuses: the line goes without the rest
            }
            return saved;
        }

        void removeMdc(Map<String, Object> fields, Object[] saved) {
            if (saved == null) {
                return;
            }
            int i = 0;
            for (String name : fields.keySet()) {
                try {
                    if (saved[i] == NOT_PUT) {
                        break; // put failed here: the rest were never ours
                    } else if (saved[i] == null) {
                        mdcRemove.invoke(name);
                    } else {
                        mdcPut.invoke(name, saved[i]);
                    }
                } catch (Throwable t) {
                    // nothing more to do
                }
                i++;
            }
        }

        boolean fluent() {
            return atError != null;
        }
    }

    /** "key-values" or "MDC": how fields reach this logger, for the journal's line naming it. */
    String fieldsBy() {
        KeyValues kv = keyValues;
        return kv == null ? "no fields" : kv.fluent() ? "fields as key-values" : "fields in the MDC";
    }

    /** What we know of the framework behind SLF4J: whether the logger reaches an appender and whether it is stopped. */
    abstract static class Backend {
        static final Backend NONE = new Backend() {};

        static Backend of(Object logger, ClassLoader context, String name) throws Throwable {
            String type = logger.getClass().getName();
            if (type.equals("ch.qos.logback.classic.Logger")) {
                return new Logback(logger);
            }
            if (type.startsWith("org.apache.logging.slf4j.")) {
                Backend b = Log4j.of(logger.getClass().getClassLoader(), context, name);
                return b == null ? NONE : b;
            }
            return NONE;
        }

        boolean reachesAppender() throws Throwable {
            return true;
        }

        boolean stopped() throws Throwable {
            return false;
        }

        String howToShow() {
            return "configure logger '" + LogSink.NAME + "' at level INFO with an appender";
        }
    }

    /** Logback: the logger's own appenders, else (additive) the root logger's; "stopped" is the stopped context. */
    static final class Logback extends Backend {
        private final Object logger;
        private final Object root;
        private final Object context;
        private final MethodHandle appenders;
        private final MethodHandle additive;
        private final MethodHandle started;
        /** Older Logback may never start its default context: only a context seen started can be seen stopped. */
        private final boolean startedAtFirst;

        Logback(Object logger) throws Throwable {
            Class<?> type = logger.getClass();
            Class<?> contextType = Class.forName("ch.qos.logback.classic.LoggerContext", false, type.getClassLoader());
            this.logger = logger;
            this.context = virtual(type, "getLoggerContext", contextType).invoke(logger);
            this.root = virtual(contextType, "getLogger", type, String.class).invoke(context, "ROOT");
            this.appenders = virtual(type, "iteratorForAppenders", Iterator.class);
            this.additive = virtual(type, "isAdditive", boolean.class);
            this.started = virtual(contextType, "isStarted", boolean.class);
            this.startedAtFirst = (boolean) started.invoke(context);
        }

        @Override
        boolean reachesAppender() throws Throwable {
            if (((Iterator<?>) appenders.invoke(logger)).hasNext()) {
                return true;
            }
            return (boolean) additive.invoke(logger)
                    && root != logger
                    && ((Iterator<?>) appenders.invoke(root)).hasNext();
        }

        @Override
        boolean stopped() throws Throwable {
            return startedAtFirst && !(boolean) started.invoke(context);
        }

        @Override
        String howToShow() {
            return "add <logger name=\"" + LogSink.NAME + "\" level=\"INFO\"/> to the Logback configuration"
                    + " (with an <appender-ref> inside when the root logger has no appender)";
        }
    }

    /**
     * Log4j 2 (log4j-slf4j-impl or log4j-slf4j2-impl): the logger's configuration and, while additive, its parents'
     * for an appender. The context is the one SLF4J's binding chose for the same context loader.
     */
    static final class Log4j extends Backend {
        private final Object context;
        private final String name;
        private final MethodHandle configuration;
        private final MethodHandle loggerConfig;
        private final MethodHandle appenders;
        private final MethodHandle additive;
        private final MethodHandle parent;
        private final MethodHandle isStopped;

        private Log4j(Object context, Class<?> contextType, ClassLoader loader, String name) throws Throwable {
            Class<?> configType = Class.forName("org.apache.logging.log4j.core.config.Configuration", false, loader);
            Class<?> loggerConfigType =
                    Class.forName("org.apache.logging.log4j.core.config.LoggerConfig", false, loader);
            this.context = context;
            this.name = name;
            this.configuration = virtual(contextType, "getConfiguration", configType);
            this.loggerConfig = MethodHandles.publicLookup()
                    .findVirtual(configType, "getLoggerConfig", MethodType.methodType(loggerConfigType, String.class));
            this.appenders = virtual(loggerConfigType, "getAppenders", Map.class);
            this.additive = virtual(loggerConfigType, "isAdditive", boolean.class);
            this.parent = virtual(loggerConfigType, "getParent", loggerConfigType);
            this.isStopped = virtual(contextType, "isStopped", boolean.class);
        }

        static Log4j of(ClassLoader bindingLoader, ClassLoader context, String name) throws Throwable {
            Class<?> manager = Class.forName("org.apache.logging.log4j.LogManager", false, bindingLoader);
            Class<?> spiContext =
                    Class.forName("org.apache.logging.log4j.spi.LoggerContext", false, manager.getClassLoader());
            Object ctx = MethodHandles.publicLookup()
                    .findStatic(
                            manager, "getContext", MethodType.methodType(spiContext, ClassLoader.class, boolean.class))
                    .invoke(context, false);
            if (ctx == null) {
                return null;
            }
            Class<?> core;
            try {
                core = Class.forName(
                        "org.apache.logging.log4j.core.LoggerContext",
                        false,
                        ctx.getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                return null; // another implementation of the API: nothing to look at
            }
            return core.isInstance(ctx) ? new Log4j(ctx, core, core.getClassLoader(), name) : null;
        }

        @Override
        boolean reachesAppender() throws Throwable {
            Object config = loggerConfig.invoke(configuration.invoke(context), name);
            for (int depth = 0; config != null && depth < 64; depth++) {
                if (!((Map<?, ?>) appenders.invoke(config)).isEmpty()) {
                    return true;
                }
                if (!(boolean) additive.invoke(config)) {
                    return false;
                }
                config = parent.invoke(config);
            }
            return false;
        }

        @Override
        boolean stopped() throws Throwable {
            return (boolean) isStopped.invoke(context);
        }

        @Override
        String howToShow() {
            return "add <Logger name=\"" + LogSink.NAME
                    + "\" level=\"info\"><AppenderRef ref=\"…\"/></Logger> to the Log4j 2 configuration";
        }
    }
}
