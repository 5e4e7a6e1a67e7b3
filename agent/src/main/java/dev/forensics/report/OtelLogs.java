package dev.forensics.report;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Findings as OpenTelemetry log records when the application has set up OpenTelemetry: the logs bridge of its
 * {@code GlobalOpenTelemetry}, found reflectively through the loaders that hold the application, logger
 * {@code forensics}, the finding's level as severity, its line as body and its fields as attributes named
 * {@code forensics.<field>}. Never bundled; never initialises the API's class (its initializer starts
 * java.util.logging) before the application did, and never {@code GlobalOpenTelemetry.get()} before the application
 * set it: that call would install a no-op for good (and could run autoconfiguration), and the application's own
 * {@code set} would then fail. Looked up at a finding, at most once a second and {@value #MAX_LOOKS} times while the API is there
 * but not set yet; again whenever a new loader appears while no loader has the API.
 */
final class OtelLogs {
    static final long RETRY_NANOS = 1_000_000_000L;
    static final int MAX_LOOKS = 100;
    static final String API = "io.opentelemetry.api.GlobalOpenTelemetry";
    /** With the OpenTelemetry Java agent, {@code GlobalOpenTelemetry.get()} in the application is the agent's, set or not. */
    static final String JAVA_AGENT = "io/opentelemetry/javaagent/OpenTelemetryAgent.class";

    /** Values live as long as the API class they are stored for, so holding a bridge never pins the application's loader. */
    private static final ClassValue<Bridge[]> HOLDER = new ClassValue<>() {
        @Override
        protected Bridge[] computeValue(Class<?> type) {
            return new Bridge[1];
        }
    };

    private volatile WeakReference<Bridge> bridge = new WeakReference<>(null);
    /** Guarded by this. */
    private int looks;

    private long lookedAt;
    private int lookedGeneration = Integer.MIN_VALUE;
    private boolean apiSeen;
    private boolean off;

    void emit(Finding f, String message, Instant at) {
        Bridge b = bridge();
        if (b == null) {
            return;
        }
        try {
            b.emit(f, Printable.line(message), at);
        } catch (Throwable t) {
            synchronized (this) {
                if (!off) {
                    off = true;
                    bridge = new WeakReference<>(null);
                    LogSink.note("OpenTelemetry log records failed (" + t + "): no more findings go to OpenTelemetry");
                }
            }
        }
    }

    private Bridge bridge() {
        Bridge b = bridge.get();
        if (b != null) {
            return b;
        }
        int generation = Loaders.generation();
        long now = System.nanoTime();
        synchronized (this) {
            b = bridge.get();
            if (b != null || off) {
                return b;
            }
            boolean first = lookedGeneration == Integer.MIN_VALUE;
            if (!first && now - lookedAt < RETRY_NANOS || !apiSeen && !first && generation == lookedGeneration) {
                return null;
            }
            if (++looks > MAX_LOOKS) {
                off = true; // the API is there but nobody set it up: not an application that runs OpenTelemetry
                return null;
            }
            lookedAt = now;
            lookedGeneration = generation;
            try {
                b = find();
            } catch (Throwable t) {
                b = null; // nothing of the application's may break a finding
            }
            if (b != null) {
                bridge = new WeakReference<>(b);
                LogSink.note("findings also go to OpenTelemetry as log records of logger '" + LogSink.NAME + "' ("
                        + b.description + ")");
            }
            return b;
        }
    }

    private Bridge find() {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        boolean javaAgent = has(system, JAVA_AGENT);
        List<ClassLoader> loaders = LogSink.candidates(LogSink.contextLoaders(), Loaders.all(), system);
        for (ClassLoader loader : loaders) {
            if (!has(loader, API.replace('.', '/') + ".class")) {
                continue;
            }
            apiSeen = true;
            try {
                Class<?> global = Class.forName(API, false, loader);
                Bridge held = HOLDER.get(global)[0];
                if (held != null) {
                    return held;
                }
                Boolean used = ClassInit.initialized(global);
                if (used == null) {
                    cannotTell();
                    continue;
                }
                if (!used || !javaAgent && !set(global)) {
                    continue; // the application never touched the API, or has not set it up yet
                }
                Bridge b = Bridge.of(
                        global,
                        LogSink.NAME,
                        Loaders.describe(loader) + (javaAgent ? ", OpenTelemetry Java agent" : ""));
                if (b != null) {
                    HOLDER.get(global)[0] = b;
                    return b;
                }
            } catch (Throwable t) {
                // this loader's API does not link or initialise, or predates the logs bridge: the next may do
            }
        }
        return null;
    }

    private boolean saidCannotTell;

    private void cannotTell() {
        if (!saidCannotTell) {
            saidCannotTell = true;
            LogSink.note(
                    "OpenTelemetry's API is in an application loader, but whether the application set it up cannot be told"
                            + " without initialising it (jdk.internal.misc is not open to the agent): no findings go to OpenTelemetry");
        }
    }

    /** {@code GlobalOpenTelemetry.isSet()}; an API too old to have it is never asked for its (maybe unset) global. */
    private static boolean set(Class<?> global) throws Throwable {
        MethodHandle isSet =
                MethodHandles.publicLookup().findStatic(global, "isSet", MethodType.methodType(boolean.class));
        return (boolean) isSet.invoke();
    }

    private static boolean has(ClassLoader loader, String resource) {
        try {
            return loader != null && loader.getResource(resource) != null;
        } catch (Throwable t) {
            return false;
        }
    }

    /** One application's logs bridge logger, with the handles to build and emit a record. */
    static final class Bridge {
        static final int MAX_KEYS = 256;

        final String description;
        private final Object logger;
        private final MethodHandle builder;
        private final MethodHandle timestamp;
        private final MethodHandle severity;
        private final MethodHandle severityText;
        private final MethodHandle body;
        private final MethodHandle attribute;
        private final MethodHandle emit;
        private final MethodHandle stringKey;
        private final MethodHandle longKey;
        private final MethodHandle booleanKey;
        private final Object error;
        private final Object warn;
        private final Object info;
        /** Attribute keys by field name (guarded by itself): a few dozen names, made once. */
        private final Map<String, Object> keys = new HashMap<>();

        private Bridge(Object logger, ClassLoader api, String description) throws Throwable {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> loggerType = Class.forName("io.opentelemetry.api.logs.Logger", false, api);
            Class<?> builderType = Class.forName("io.opentelemetry.api.logs.LogRecordBuilder", false, api);
            Class<?> severityType = Class.forName("io.opentelemetry.api.logs.Severity", false, api);
            Class<?> keyType = Class.forName("io.opentelemetry.api.common.AttributeKey", false, api);
            this.description = description;
            this.logger = logger;
            this.builder = lookup.findVirtual(loggerType, "logRecordBuilder", MethodType.methodType(builderType));
            this.timestamp = lookup.findVirtual(
                    builderType, "setTimestamp", MethodType.methodType(builderType, long.class, TimeUnit.class));
            this.severity =
                    lookup.findVirtual(builderType, "setSeverity", MethodType.methodType(builderType, severityType));
            this.severityText = lookup.findVirtual(
                    builderType, "setSeverityText", MethodType.methodType(builderType, String.class));
            this.body = lookup.findVirtual(builderType, "setBody", MethodType.methodType(builderType, String.class));
            this.attribute = lookup.findVirtual(
                    builderType, "setAttribute", MethodType.methodType(builderType, keyType, Object.class));
            this.emit = lookup.findVirtual(builderType, "emit", MethodType.methodType(void.class));
            this.stringKey = lookup.findStatic(keyType, "stringKey", MethodType.methodType(keyType, String.class));
            this.longKey = lookup.findStatic(keyType, "longKey", MethodType.methodType(keyType, String.class));
            this.booleanKey = lookup.findStatic(keyType, "booleanKey", MethodType.methodType(keyType, String.class));
            this.error = severity(severityType, "ERROR");
            this.warn = severity(severityType, "WARN");
            this.info = severity(severityType, "INFO");
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object severity(Class<?> type, String name) {
            return Enum.valueOf((Class) type, name);
        }

        /** {@code GlobalOpenTelemetry.get().getLogsBridge().get(name)}, or null when its API has no logs bridge. */
        static Bridge of(Class<?> global, String name, String description) throws Throwable {
            ClassLoader api = global.getClassLoader();
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> openTelemetry = Class.forName("io.opentelemetry.api.OpenTelemetry", false, api);
            Class<?> providerType = Class.forName("io.opentelemetry.api.logs.LoggerProvider", false, api);
            Class<?> loggerType = Class.forName("io.opentelemetry.api.logs.Logger", false, api);
            Object otel = lookup.findStatic(global, "get", MethodType.methodType(openTelemetry))
                    .invoke();
            Object provider = lookup.findVirtual(openTelemetry, "getLogsBridge", MethodType.methodType(providerType))
                    .invoke(otel);
            Object logger = lookup.findVirtual(providerType, "get", MethodType.methodType(loggerType, String.class))
                    .invoke(provider, name);
            return logger == null ? null : new Bridge(logger, api, description);
        }

        void emit(Finding f, String message, Instant at) throws Throwable {
            Finding.Severity s = f.severity();
            Object b = builder.invoke(logger);
            b = timestamp.invoke(b, at.toEpochMilli(), TimeUnit.MILLISECONDS);
            b = severity.invoke(b, s == Finding.Severity.ERROR ? error : s == Finding.Severity.WARN ? warn : info);
            b = severityText.invoke(b, s.name());
            b = body.invoke(b, message);
            for (Map.Entry<String, Object> e : f.attributes().entrySet()) {
                Object v = e.getValue();
                if (v instanceof Long) {
                    b = attribute.invoke(b, key(e.getKey(), longKey), v);
                } else if (v instanceof Boolean) {
                    b = attribute.invoke(b, key(e.getKey(), booleanKey), v);
                } else if (v != null) {
                    b = attribute.invoke(b, key(e.getKey(), stringKey), Printable.line(v.toString()));
                }
            }
            emit.invoke(b);
        }

        private Object key(String field, MethodHandle make) throws Throwable {
            String name = "forensics." + field;
            String cacheKey = make == stringKey ? name : make == longKey ? name + "#long" : name + "#boolean";
            synchronized (keys) {
                Object k = keys.get(cacheKey);
                if (k == null) {
                    k = make.invoke(name);
                    if (keys.size() < MAX_KEYS) {
                        keys.put(cacheKey, k);
                    }
                }
                return k;
            }
        }
    }
}
