package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.lang.reflect.Method;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An application with Micrometer or the OpenTelemetry SDK in its own class loader, reached only reflectively (neither is
 * on the test class path): {@code MeteredApp <dir> micrometer|otel}. It sets up its registry (a SimpleMeterRegistry added
 * to Micrometer's global composite once the agent bound its meters, as Spring Boot adds its registries late; an SDK
 * with an InMemoryMetricReader registered as GlobalOpenTelemetry after the agent first looked), holds three
 * HttpURLConnection error bodies open, then drops them and collects garbage until they are GC-confirmed leaks. After
 * each phase it prints the agent's meters as {@code METER <phase> <name>{tags} <value>} lines. A third argument
 * {@code unbound} waits for no binding (the agent runs with {@code metrics=off}); {@code hostile} first installs a meter
 * filter that throws for the agent's meters.
 */
public final class MeteredApp {
    public static final int BODIES = 3;

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        boolean otel = args[1].equals("otel");
        AgentReady.await(dir);
        String mode = args.length > 2 ? args[2] : "";
        if (mode.equals("hostile")) {
            refuseForensicsMeters(); // before the agent's first look, which comes within a second of this loader
        }
        boolean unbound = !mode.isEmpty(); // metrics=off or a refused binding: nothing to wait for
        Reader reader = otel ? otel() : micrometer(dir, unbound);
        try (LoopbackServer server = LoopbackServer.start(false, Paths.get(dir).toAbsolutePath().getParent());
             UrlConnectionClient client = new UrlConnectionClient(null)) {
            if (otel && !unbound) {
                awaitJournal(dir, "meters bound to OpenTelemetry");
            }
            print("start", reader.read());
            List<Object> held = new ArrayList<>();
            for (int i = 0; i < BODIES; i++) {
                held.add(client.open(server.base() + "/ok/metered"));
            }
            Thread.sleep(2500); // the watcher counts open bodies by client once a second
            print("open", reader.read());
            held.clear();
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline && !LoggingApp.journal(dir).contains("leaked at")) {
                System.gc();
                Thread.sleep(100);
            }
            Thread.sleep(2500);
            print("leaked", reader.read());
        }
        brokenPipeLoop();
        Thread.sleep(1500);
        print("pipe", reader.read());
        System.out.println("DONE");
    }

    /** A peer that resets the connection at once, and a writer that shrugs off every failure: a broken-pipe loop. */
    static void brokenPipeLoop() throws Exception {
        java.net.InetAddress loopback = java.net.InetAddress.getLoopbackAddress();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, loopback);
             java.net.Socket s = new java.net.Socket(loopback, server.getLocalPort())) {
            try (java.net.Socket peer = server.accept()) {
                peer.setSoLinger(true, 0); // RST on close
            }
            Thread.sleep(200);
            byte[] chunk = new byte[1024];
            for (int i = 0; i < PIPE_WRITES; i++) {
                try {
                    s.getOutputStream().write(chunk);
                } catch (java.io.IOException e) {
                    // the bug: log-and-continue
                }
                Thread.sleep(2);
            }
        }
    }

    /** Writes to the vanished peer: more than pipeLoopFailures (20) within pipeLoopWindow make a loop. */
    public static final int PIPE_WRITES = 60;

    /** A meter filter that throws for every forensics.* meter, as a broken or hostile registry configuration would. */
    static void refuseForensicsMeters() throws Exception {
        ClassLoader l = MeteredApp.class.getClassLoader();
        Class<?> filterType = Class.forName("io.micrometer.core.instrument.config.MeterFilter", false, l);
        Object filter = java.lang.reflect.Proxy.newProxyInstance(l, new Class<?>[] {filterType}, (proxy, method, margs) -> {
            if (method.getName().equals("map") && margs != null && margs.length == 1
                    && String.valueOf(call(margs[0], "io.micrometer.core.instrument.Meter$Id", "getName")).startsWith("forensics.")) {
                throw new IllegalStateException("this registry refuses forensics meters");
            }
            return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, margs);
        });
        Object global = Class.forName("io.micrometer.core.instrument.Metrics", true, l).getField("globalRegistry").get(null);
        Object config = call(global, "io.micrometer.core.instrument.MeterRegistry", "config");
        Class.forName("io.micrometer.core.instrument.MeterRegistry$Config", false, l).getMethod("meterFilter", filterType).invoke(config, filter);
    }

    interface Reader {
        Map<String, Double> read() throws Exception;
    }

    static void print(String phase, Map<String, Double> meters) {
        for (Map.Entry<String, Double> e : meters.entrySet()) {
            System.out.println("METER " + phase + " " + e.getKey() + " " + e.getValue());
        }
        System.out.flush();
    }

    static void awaitJournal(String dir, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!LoggingApp.journal(dir).contains(text)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("journal never said: " + text);
            }
            Thread.sleep(50);
        }
    }

    /** Through interfaces only: implementations may be package-private classes. */
    static Object call(Object target, String type, String method, Object... args) throws Exception {
        Class<?>[] params = new Class<?>[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = args[i] instanceof Class ? Class.class : args[i].getClass();
        }
        Method m = Class.forName(type, false, MeteredApp.class.getClassLoader()).getMethod(method, params);
        return m.invoke(target, args);
    }

    static Reader micrometer(String dir, boolean unbound) throws Exception {
        ClassLoader l = MeteredApp.class.getClassLoader();
        if (unbound) {
            Thread.sleep(2000);
        } else {
            awaitJournal(dir, "meters bound to Micrometer");
        }
        Object registry = Class.forName("io.micrometer.core.instrument.simple.SimpleMeterRegistry", true, l).getConstructor().newInstance();
        Class<?> registryType = Class.forName("io.micrometer.core.instrument.MeterRegistry", false, l);
        Class.forName("io.micrometer.core.instrument.Metrics", true, l).getMethod("addRegistry", registryType).invoke(null, registry);
        return () -> {
            Map<String, Double> out = new TreeMap<>();
            for (Object meter : (List<?>) call(registry, "io.micrometer.core.instrument.MeterRegistry", "getMeters")) {
                Object id = call(meter, "io.micrometer.core.instrument.Meter", "getId");
                String name = (String) call(id, "io.micrometer.core.instrument.Meter$Id", "getName");
                if (!name.startsWith("forensics.")) {
                    continue;
                }
                StringBuilder tags = new StringBuilder();
                for (Object tag : (List<?>) call(id, "io.micrometer.core.instrument.Meter$Id", "getTags")) {
                    tags.append(tags.length() == 0 ? "" : ",").append(call(tag, "io.micrometer.core.instrument.Tag", "getKey"))
                            .append('=').append(call(tag, "io.micrometer.core.instrument.Tag", "getValue"));
                }
                for (Object m : (Iterable<?>) call(meter, "io.micrometer.core.instrument.Meter", "measure")) {
                    out.put(name + "{" + tags + "}", (Double) call(m, "io.micrometer.core.instrument.Measurement", "getValue"));
                }
            }
            return out;
        };
    }

    static Reader otel() throws Exception {
        ClassLoader l = MeteredApp.class.getClassLoader();
        Thread.sleep(1500); // let the agent look once and find GlobalOpenTelemetry unset
        Object reader = Class.forName("io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader", true, l).getMethod("create").invoke(null);
        Object builder = Class.forName("io.opentelemetry.sdk.metrics.SdkMeterProvider", true, l).getMethod("builder").invoke(null);
        Class<?> readerType = Class.forName("io.opentelemetry.sdk.metrics.export.MetricReader", false, l);
        builder.getClass().getMethod("registerMetricReader", readerType).invoke(builder, reader);
        Object provider = builder.getClass().getMethod("build").invoke(builder);
        Object sdk = Class.forName("io.opentelemetry.sdk.OpenTelemetrySdk", true, l).getMethod("builder").invoke(null);
        sdk.getClass().getMethod("setMeterProvider", provider.getClass()).invoke(sdk, provider);
        sdk.getClass().getMethod("buildAndRegisterGlobal").invoke(sdk);
        return () -> {
            Map<String, Double> out = new TreeMap<>();
            for (Object data : (Iterable<?>) reader.getClass().getMethod("collectAllMetrics").invoke(reader)) {
                String name = (String) call(data, "io.opentelemetry.sdk.metrics.data.MetricData", "getName");
                Object points = call(call(data, "io.opentelemetry.sdk.metrics.data.MetricData", "getData"),
                        "io.opentelemetry.sdk.metrics.data.Data", "getPoints");
                for (Object p : (Iterable<?>) points) {
                    Object attrs = call(p, "io.opentelemetry.sdk.metrics.data.PointData", "getAttributes");
                    StringBuilder tags = new StringBuilder();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) call(attrs, "io.opentelemetry.api.common.Attributes", "asMap")).entrySet()) {
                        tags.append(tags.length() == 0 ? "" : ",").append(call(e.getKey(), "io.opentelemetry.api.common.AttributeKey", "getKey"))
                                .append('=').append(e.getValue());
                    }
                    long v = (Long) call(p, "io.opentelemetry.sdk.metrics.data.LongPointData", "getValue");
                    out.put(name + "{" + tags + "}", (double) v);
                }
            }
            return out;
        };
    }
}
