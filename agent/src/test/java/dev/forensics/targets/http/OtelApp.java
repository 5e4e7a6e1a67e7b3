package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An application that runs the OpenTelemetry SDK with an in-memory log exporter registered as GlobalOpenTelemetry,
 * and leaks HttpURLConnection error bodies: {@code OtelApp <dir> early|late|never}. {@code early} sets the SDK up before
 * its first leak; {@code late} leaks once with the API on its class path but unset, then sets it up (which fails if
 * anyone fixed the global before) and leaks again; {@code never} leaks once and never sets it up. Prints what the
 * exporter received from logger {@code forensics}: {@code RECORD <severity> | <body> | <attributes>}.
 */
public final class OtelApp {
    public static void main(String[] args) throws Exception {
        String dir = args[0];
        String mode = args[1];
        InMemoryLogRecordExporter exporter = InMemoryLogRecordExporter.create();
        if (mode.equals("early")) {
            setUp(exporter);
        }
        AgentReady.await(dir);
        try (LoopbackServer server = LoopbackServer.start(false, Paths.get(dir).toAbsolutePath().getParent());
             BodyClient client = new UrlConnectionClient(null)) {
            Thread.sleep(1100); // a fresh second for the stack sampling budget
            client.leakErrorBody(server.base() + "/error/otel-first?token=" + HttpBodies.SECRET);
            HttpBodies.collectUntilJournalSays(dir, "/error/otel-first?", 60_000);
            if (mode.equals("late")) {
                setUp(exporter);
                System.out.println("SET UP LATE");
                Thread.sleep(1100); // past the agent's pause between two looks
                client.leakErrorBody(server.base() + "/error/otel-second?token=" + HttpBodies.SECRET);
                HttpBodies.collectUntilJournalSays(dir, "/error/otel-second?", 60_000);
            }
        }
        long deadline = System.currentTimeMillis() + (mode.equals("never") ? 1_000 : 10_000);
        List<LogRecordData> records = List.of();
        while (System.currentTimeMillis() < deadline) {
            records = exporter.getFinishedLogRecordItems().stream()
                    .filter(r -> r.getInstrumentationScopeInfo().getName().equals("forensics")).collect(Collectors.toList());
            if (!records.isEmpty() && !mode.equals("never")) {
                break;
            }
            Thread.sleep(50);
        }
        for (LogRecordData r : records) {
            Map<String, Object> attributes = new TreeMap<>();
            r.getAttributes().forEach((k, v) -> attributes.put(k.getKey() + ":" + k.getType(), v));
            System.out.println("RECORD " + r.getSeverity() + " " + r.getSeverityText() + " | " + r.getBodyValue().asString() + " | " + attributes);
        }
        if (mode.equals("never")) {
            // Before anything here touches GlobalOpenTelemetry: its initializer starts java.util.logging, whose
            // LogManager registers a shutdown hook. Nothing of this application used either.
            System.out.println("LOGGING STARTED " + loggingStarted());
        }
        System.out.println("RECORDS " + records.size() + " ISSET " + GlobalOpenTelemetry.isSet());
        System.out.println("DONE");
    }

    /** Whether java.util.logging's LogManager exists: its shutdown hook is registered (needs java.lang opened to us). */
    static boolean loggingStarted() throws Exception {
        java.lang.reflect.Field hooks = Class.forName("java.lang.ApplicationShutdownHooks").getDeclaredField("hooks");
        hooks.setAccessible(true);
        synchronized (hooks.getDeclaringClass()) {
            Map<?, ?> map = (Map<?, ?>) hooks.get(null);
            return map.keySet().stream().anyMatch(t -> t.getClass().getName().equals("java.util.logging.LogManager$Cleaner"));
        }
    }

    static void setUp(InMemoryLogRecordExporter exporter) {
        SdkLoggerProvider logs = SdkLoggerProvider.builder().addLogRecordProcessor(SimpleLogRecordProcessor.create(exporter)).build();
        GlobalOpenTelemetry.set(OpenTelemetrySdk.builder().setLoggerProvider(logs).build());
    }
}
