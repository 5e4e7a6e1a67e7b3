package dev.forensics.metrics;

import dev.forensics.report.Loaders;
import dev.forensics.report.Reporter;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@link Meters} in the application's {@code Metrics.globalRegistry}, called reflectively: function gauges and function
 * counters that Micrometer pulls from at each scrape, through a JDK {@link ToDoubleFunction} of ours. The global
 * registry is a composite: registries the application adds later (Spring Boot adds its own unless
 * {@code management.metrics.use-global-registry=false}) receive the meters registered before. Micrometer holds a
 * function's object weakly, so this class holds every series strongly.
 */
final class MicrometerMeters {
    private final Object registry;
    private final String description;
    private final Method gauge;
    private final Method counter;
    private final Method gaugeTags;
    private final Method gaugeDescription;
    private final Method gaugeRegister;
    private final Method counterTags;
    private final Method counterDescription;
    private final Method counterRegister;
    private final List<Meters.Meter> meters;
    private final Set<String> seen = new HashSet<>();
    private final List<Series> held = new ArrayList<>();

    private MicrometerMeters(ClassLoader loader, List<Meters.Meter> meters) throws ReflectiveOperationException {
        Class<?> metrics = Class.forName("io.micrometer.core.instrument.Metrics", true, loader);
        ClassLoader api = metrics.getClassLoader();
        Class<?> registryType = Class.forName("io.micrometer.core.instrument.MeterRegistry", false, api);
        Class<?> gaugeType = Class.forName("io.micrometer.core.instrument.Gauge", false, api);
        Class<?> gaugeBuilder = Class.forName("io.micrometer.core.instrument.Gauge$Builder", false, api);
        Class<?> counterType = Class.forName("io.micrometer.core.instrument.FunctionCounter", false, api);
        Class<?> counterBuilder = Class.forName("io.micrometer.core.instrument.FunctionCounter$Builder", false, api);
        this.registry = metrics.getField("globalRegistry").get(null);
        this.gauge = gaugeType.getMethod("builder", String.class, Object.class, ToDoubleFunction.class);
        this.gaugeTags = gaugeBuilder.getMethod("tags", String[].class);
        this.gaugeDescription = gaugeBuilder.getMethod("description", String.class);
        this.gaugeRegister = gaugeBuilder.getMethod("register", registryType);
        this.counter = counterType.getMethod("builder", String.class, Object.class, ToDoubleFunction.class);
        this.counterTags = counterBuilder.getMethod("tags", String[].class);
        this.counterDescription = counterBuilder.getMethod("description", String.class);
        this.counterRegister = counterBuilder.getMethod("register", registryType);
        Package p = metrics.getPackage();
        String version = p == null ? null : p.getImplementationVersion();
        this.description = "Micrometer" + (version == null ? "" : " " + version) + " via " + Loaders.describe(api);
        this.meters = meters;
    }

    static MicrometerMeters bind(ClassLoader loader, List<Meters.Meter> meters) throws Throwable {
        MicrometerMeters m = new MicrometerMeters(loader, meters);
        m.registerNew(false);
        return m;
    }

    /** Registers the series that appeared since (a new client, a new status class); false once that failed. */
    boolean refresh() {
        try {
            registerNew(true);
            return true;
        } catch (Throwable t) {
            Reporter.journal("metrics", "Micrometer meters stopped adding series after an error: " + t);
            return false;
        }
    }

    private void registerNew(boolean dynamicOnly) throws Throwable {
        for (Meters.Meter meter : meters) {
            if (dynamicOnly && !meter.dynamic()) {
                continue;
            }
            List<String[]> fresh = new ArrayList<>();
            meter.reading().read((value, tagValues) -> {
                if (seen.add(key(meter, tagValues))) {
                    fresh.add(tagValues);
                }
            });
            for (String[] tagValues : fresh) {
                register(meter, tagValues);
            }
        }
    }

    private void register(Meters.Meter meter, String[] tagValues) throws Throwable {
        Series s = new Series(meter, tagValues);
        String[] tags = new String[tagValues.length * 2];
        for (int i = 0; i < tagValues.length; i++) {
            tags[2 * i] = meter.tags().get(i);
            tags[2 * i + 1] = tagValues[i];
        }
        try {
            if (meter.type() == Meters.Type.GAUGE) {
                Object b = gauge.invoke(null, meter.name(), s, s);
                gaugeTags.invoke(b, (Object) tags);
                gaugeDescription.invoke(b, meter.description());
                gaugeRegister.invoke(b, registry);
            } else {
                Object b = counter.invoke(null, meter.name(), s, s);
                counterTags.invoke(b, (Object) tags);
                counterDescription.invoke(b, meter.description());
                counterRegister.invoke(b, registry);
            }
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
        held.add(s);
    }

    private static String key(Meters.Meter meter, String[] tagValues) {
        return meter.name() + '\u0000' + String.join("\u0000", tagValues);
    }

    int registered() {
        return held.size();
    }

    String description() {
        return description;
    }

    /**
     * One series, as Micrometer pulls it: the meter read again, this series' value picked. A gauge whose series is gone
     * reads NaN (Micrometer's "no value"); a counter keeps its last value; an error reads the last value too.
     */
    static final class Series implements ToDoubleFunction<Object> {
        private final Meters.Meter meter;
        private final String[] tagValues;
        private volatile double last = Double.NaN;

        Series(Meters.Meter meter, String[] tagValues) {
            this.meter = meter;
            this.tagValues = tagValues;
        }

        @Override
        public double applyAsDouble(Object ignored) {
            try {
                double[] found = {Double.NaN};
                meter.reading().read((value, values) -> {
                    if (java.util.Arrays.equals(values, tagValues)) {
                        found[0] = value;
                    }
                });
                if (Double.isNaN(found[0]) && meter.type() == Meters.Type.COUNTER) {
                    return Double.isNaN(last) ? 0 : last;
                }
                last = found[0];
                return found[0];
            } catch (Throwable t) {
                return last;
            }
        }
    }
}
