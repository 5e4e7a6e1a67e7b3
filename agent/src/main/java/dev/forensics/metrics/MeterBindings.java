package dev.forensics.metrics;

import dev.forensics.report.Loaders;
import dev.forensics.report.Reporter;

/**
 * Finds the application's Micrometer and OpenTelemetry and binds {@link Meters} to them, once each. Driven by the leak
 * watcher's one-second tick, never by a request: it looks again when a class loader appeared (Spring Boot's launched
 * loader, a web app's) and otherwise every {@link #RETRY_NANOS}, at most {@link #MAX_LOOKS} times, then stops looking.
 * A binding that fails is given up and said once in the journal; the application never sees it.
 */
public final class MeterBindings {
    static final int MAX_LOOKS = 120;
    static final long RETRY_NANOS = 5_000_000_000L;
    static final String MICROMETER = "io/micrometer/core/instrument/Metrics.class";
    static final String OTEL = "io/opentelemetry/api/GlobalOpenTelemetry.class";

    private static volatile boolean enabled;
    // The fields below belong to the watcher thread.
    private static int looks;
    private static int generation = -1;
    private static long nextLook;
    private static boolean micrometerDone;
    private static boolean otelDone;
    private static MicrometerMeters micrometer;
    private static OtelMeters otel;

    private MeterBindings() {}

    /** From premain, when the {@code metrics} option is on: the tick starts looking. */
    public static void enable() {
        enabled = true;
    }

    /** On the leak watcher thread, once a second. */
    public static void tick(long now) {
        if (!enabled) {
            return;
        }
        MicrometerMeters m = micrometer;
        if (m != null && !m.refresh()) {
            micrometer = null;
        }
        if ((micrometerDone && otelDone) || looks >= MAX_LOOKS) {
            return;
        }
        int g = Loaders.generation();
        if (g == generation && now - nextLook < 0) {
            return;
        }
        generation = g;
        nextLook = now + RETRY_NANOS;
        looks++;
        if (!micrometerDone) {
            lookForMicrometer();
        }
        if (!otelDone) {
            lookForOtel();
        }
    }

    private static void lookForMicrometer() {
        ClassLoader loader = Loaders.withResource(MICROMETER);
        if (loader == null) {
            return;
        }
        micrometerDone = true;
        try {
            micrometer = MicrometerMeters.bind(loader, Meters.all());
            Reporter.journal(
                    "metrics",
                    "meters bound to Micrometer's global registry (" + micrometer.description() + "): "
                            + micrometer.registered() + " series");
        } catch (Throwable t) {
            Reporter.journal(
                    "metrics",
                    "Micrometer found via " + Loaders.describe(loader) + " but the meters could not be bound: " + t);
        }
    }

    private static void lookForOtel() {
        ClassLoader loader = Loaders.withResource(OTEL);
        if (loader == null) {
            return;
        }
        try {
            OtelMeters o = OtelMeters.bindIfSet(loader, Meters.all());
            if (o == null) {
                // The application has not set its GlobalOpenTelemetry (yet): look again later, never set it ourselves.
                return;
            }
            otelDone = true;
            otel = o;
            Reporter.journal(
                    "metrics",
                    "meters bound to OpenTelemetry's global meter provider (" + o.description() + "): "
                            + o.instruments() + " instruments");
        } catch (Throwable t) {
            otelDone = true;
            Reporter.journal(
                    "metrics",
                    "OpenTelemetry found via " + Loaders.describe(loader) + " but the meters could not be bound: " + t);
        }
    }
}
