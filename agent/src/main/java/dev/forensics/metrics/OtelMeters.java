package dev.forensics.metrics;

import dev.forensics.report.ClassInit;
import dev.forensics.report.Loaders;
import dev.forensics.report.Reporter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link Meters} through the OpenTelemetry metrics API of the application, called reflectively: one observable gauge or
 * counter per meter on {@code GlobalOpenTelemetry}'s meter {@code forensics}, whose callback reads the meter at each
 * collection. Bound only once the application has set its global instance: {@code GlobalOpenTelemetry.get()} on an
 * unset one would autoconfigure or freeze a no-op, and the application's own {@code set} would then fail.
 */
final class OtelMeters {
    private final String description;
    private final List<Object> instruments = new ArrayList<>();

    private OtelMeters(String description) {
        this.description = description;
    }

    /** Null while the application's GlobalOpenTelemetry is not set; throws when the API is not one we can use. */
    static OtelMeters bindIfSet(ClassLoader loader, List<Meters.Meter> meters) throws Throwable {
        Class<?> global = Class.forName("io.opentelemetry.api.GlobalOpenTelemetry", false, loader);
        if (!Boolean.TRUE.equals(ClassInit.initialized(global))) {
            // The application has not touched the API (or we cannot tell): initialising it ourselves would start
            // java.util.logging in its name, before an application server chose its LogManager. Look again later.
            return null;
        }
        ClassLoader api = global.getClassLoader();
        Method isSet;
        try {
            isSet = global.getMethod("isSet");
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException(
                    "this OpenTelemetry API has no GlobalOpenTelemetry.isSet() (before 1.50?):"
                            + " asking for the global instance could change the application's");
        }
        if (!(boolean) isSet.invoke(null)) {
            return null;
        }
        Class<?> otelType = Class.forName("io.opentelemetry.api.OpenTelemetry", false, api);
        Class<?> meterType = Class.forName("io.opentelemetry.api.metrics.Meter", false, api);
        Class<?> gaugeBuilder = Class.forName("io.opentelemetry.api.metrics.DoubleGaugeBuilder", false, api);
        Class<?> longGaugeBuilder = Class.forName("io.opentelemetry.api.metrics.LongGaugeBuilder", false, api);
        Class<?> counterBuilder = Class.forName("io.opentelemetry.api.metrics.LongCounterBuilder", false, api);
        Class<?> measurement = Class.forName("io.opentelemetry.api.metrics.ObservableLongMeasurement", false, api);
        Class<?> attributes = Class.forName("io.opentelemetry.api.common.Attributes", false, api);
        Class<?> attributesBuilder = Class.forName("io.opentelemetry.api.common.AttributesBuilder", false, api);
        // Once set, get() only returns it (no autoconfiguration). Under the OpenTelemetry Java agent, which makes
        // isSet() true, get() is what returns the agent's instance (getOrNoop() does only in its newer versions).
        Object otel = call(global.getMethod("get"), null);
        Object meter = call(otelType.getMethod("getMeter", String.class), otel, "forensics");
        Attrs attrs = new Attrs(
                attributes.getMethod("builder"),
                attributesBuilder.getMethod("put", String.class, String.class),
                attributesBuilder.getMethod("build"),
                attributes.getMethod("empty"));
        Method record = measurement.getMethod("record", long.class, attributes);
        Package p = global.getPackage();
        String version = p == null ? null : p.getImplementationVersion();
        OtelMeters out = new OtelMeters("OpenTelemetry API" + (version == null ? "" : " " + version) + " via "
                + Loaders.describe(api) + ", " + otel.getClass().getName());
        for (Meters.Meter m : meters) {
            Callback callback = new Callback(m, record, attrs);
            Object instrument;
            if (m.type() == Meters.Type.GAUGE) {
                Object b = call(meterType.getMethod("gaugeBuilder", String.class), meter, m.name());
                call(gaugeBuilder.getMethod("setDescription", String.class), b, m.description());
                call(gaugeBuilder.getMethod("setUnit", String.class), b, m.unit());
                Object longs = call(gaugeBuilder.getMethod("ofLongs"), b);
                instrument = call(longGaugeBuilder.getMethod("buildWithCallback", Consumer.class), longs, callback);
            } else {
                Object b = call(meterType.getMethod("counterBuilder", String.class), meter, m.name());
                call(counterBuilder.getMethod("setDescription", String.class), b, m.description());
                call(counterBuilder.getMethod("setUnit", String.class), b, m.unit());
                instrument = call(counterBuilder.getMethod("buildWithCallback", Consumer.class), b, callback);
            }
            out.instruments.add(instrument);
        }
        return out;
    }

    private static Object call(Method m, Object target, Object... args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    int instruments() {
        return instruments.size();
    }

    String description() {
        return description;
    }

    /** The application's Attributes for each set of tag values, built once. */
    static final class Attrs {
        private final Method builder;
        private final Method put;
        private final Method build;
        private final Object empty;
        private final Map<String, Object> cache = new HashMap<>();

        Attrs(Method builder, Method put, Method build, Method empty) throws Throwable {
            this.builder = builder;
            this.put = put;
            this.build = build;
            this.empty = call(empty, null);
        }

        synchronized Object of(List<String> keys, String[] values) throws Throwable {
            if (values.length == 0) {
                return empty;
            }
            String key = String.join("\u0000", values);
            Object a = cache.get(key);
            if (a == null) {
                Object b = call(builder, null);
                for (int i = 0; i < values.length; i++) {
                    call(put, b, keys.get(i), values[i]);
                }
                a = call(build, b);
                if (cache.size() < 1024) {
                    cache.put(key, a);
                }
            }
            return a;
        }
    }

    /** The callback OpenTelemetry runs at each collection; gives up (quietly after one journal line) at its first error. */
    static final class Callback implements Consumer<Object> {
        private final Meters.Meter meter;
        private final Method record;
        private final Attrs attrs;
        private volatile boolean failed;

        Callback(Meters.Meter meter, Method record, Attrs attrs) {
            this.meter = meter;
            this.record = record;
            this.attrs = attrs;
        }

        @Override
        public void accept(Object measurement) {
            if (failed) {
                return;
            }
            try {
                meter.reading().read((value, tagValues) -> {
                    try {
                        call(record, measurement, value, attrs.of(meter.tags(), tagValues));
                    } catch (RuntimeException | Error e) {
                        throw e;
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                });
            } catch (Throwable t) {
                failed = true;
                Reporter.journal("metrics", "OpenTelemetry meter " + meter.name() + " stopped after an error: " + t);
            }
        }
    }
}
