package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forensics.testing.JournalSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class StructuredFindingsTest {
    static final Instant AT = Instant.parse("2026-12-04T21:16:59.123Z");

    @TempDir
    Path dir;

    static Finding leak() {
        return Finding.error("leak", "leak:A", "1 response body leaked at com.acme.Api.call(Api.java:42) — GET http://h/x?token=***")
                .with("site", "com.acme.Api.call(Api.java:42)").with("client", "urlconnection").with("method", "GET")
                .with("url", "http://h/x?token=***").with("status", 500).with("count", 1L).with("total", 1L);
    }

    @Test
    void findingFieldsAreTypedAndNeverOverrideTheLinesOwnMembers() {
        Finding f = leak().with("message", "forged").with("level", "INFO").with("nothing", null);
        assertThat(f.kind()).isEqualTo("leak");
        assertThat(f.fields()).containsEntry("status", 500L).containsEntry("count", 1L).doesNotContainKeys("message", "level", "nothing");
        assertThat(f.attributes().keySet()).startsWith("kind", "severity", "category", "site");
        assertThat(f.attributes()).containsEntry("severity", "ERROR").containsEntry("category", "leak");
        assertThat(Finding.warn("pipe", "pipe-loop:127.0.0.1:80", "x").kind()).isEqualTo("pipe-loop");
        assertThat(new Finding("agent", Finding.Severity.INFO, null, "status line").attributes()).doesNotContainKey("kind");
        assertThat(leak().with("kind", "pool-refused").kind()).isEqualTo("pool-refused");
        Finding many = leak();
        for (int i = 0; i < 100; i++) {
            many = many.with("f" + i, i);
        }
        assertThat(many.fields()).hasSize(Finding.MAX_FIELDS);
    }

    @Test
    void jsonJournalLinesOfFindingsAndStatusLinesValidateAgainstTheSchema() throws Exception {
        Journal journal = new Journal(dir, 1 << 20, true);
        Reporter r = new Reporter(journal, new LogSink("off"));
        r.write(leak(), 0, AT);
        r.write(leak(), 1, AT); // aggregated: counted, then summarised in the next line for the key
        r.write(leak(), Reporter.WINDOW_NANOS + 2, AT);
        journal.append(AT, "INFO", "agent", "12 hooks active, 0 missing, 3 not applicable");
        String text = Files.readString(journal.file());
        List<JsonNode> lines = JournalSchema.validLines(text);
        assertThat(lines).hasSize(3);
        JsonNode first = lines.get(0);
        assertThat(first.get("schema").asInt()).isEqualTo(1);
        assertThat(first.get("time").asText()).isEqualTo("2026-12-04T21:16:59.123Z");
        assertThat(first.get("level").asText()).isEqualTo("ERROR");
        assertThat(first.get("kind").asText()).isEqualTo("leak");
        assertThat(first.get("status").isInt()).isTrue();
        assertThat(first.get("status").asInt()).isEqualTo(500);
        assertThat(first.get("site").asText()).isEqualTo("com.acme.Api.call(Api.java:42)");
        assertThat(first.get("url").asText()).isEqualTo("http://h/x?token=***");
        assertThat(first.has("severity")).as("level is the severity").isFalse();
        assertThat(lines.get(1).get("repeated").asInt()).isEqualTo(1);
        assertThat(lines.get(1).get("message").asText()).contains("(+1 more like this since");
        assertThat(lines.get(2).has("kind")).isFalse();
        assertThat(lines.get(2).get("category").asText()).isEqualTo("agent");
    }

    @Test
    void controlCharactersAndNonAsciiSurviveAsValidJsonOnOneLine() throws Exception {
        Journal journal = new Journal(dir, 1 << 20, true);
        String hostile = "quote \" backslash \\ tab\tnul\0 esc\u001b[31m del\u007f csi\u009b ls\u2028 rlo\u202e cr\rlf\n"
                + " Zürich ✓ 日本 😀 lone\ud800 end";
        Finding f = Finding.warn("pipe", "pipe-loop:x", hostile).with("site", hostile).with("peer", "[::1]:80");
        journal.append(AT, f, f.message());
        byte[] bytes = Files.readAllBytes(journal.file());
        for (int i = 0; i < bytes.length - 1; i++) {
            assertThat(bytes[i] & 0xff).as("raw control byte at %d", i).isGreaterThanOrEqualTo(0x20);
        }
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text.lines()).hasSize(1);
        JsonNode line = JournalSchema.validLines(text).get(0);
        String message = line.get("message").asText();
        assertThat(message).contains("quote \" backslash \\ tab\t").contains("esc\\x1b[31m").contains("del\\x7f").contains("csi\\x9b")
                .contains("ls\\u2028").contains("rlo\\u202e").contains("nul\\x00").contains(" Zürich ✓ 日本 😀 lone")
                .doesNotContain("\u001b").doesNotContain("\n");
        assertThat(line.get("site").asText()).contains("esc\\x1b[31m").contains("Zürich ✓ 日本 😀").doesNotContain("\u001b");
        assertThat(text).contains("Zürich ✓ 日本 😀"); // UTF-8 as itself, not \\u escapes
    }

    @Test
    void jsonWriterEscapesWhatJsonForbidsRaw() {
        assertThat(Json.write("a\"b\\c\u0001\u007f\u2028\ud83d\ude00\udc00")).isEqualTo("\"a\\\"b\\\\c\\u0001\\u007f\\u2028\ud83d\ude00\ufffd\"");
    }

    @Test
    void theJournalsOwnCapLineIsJsonToo() throws Exception {
        Journal journal = new Journal(dir, 4096, true);
        for (int i = 0; i < 100; i++) {
            journal.append(AT, leak(), "finding " + i);
        }
        List<JsonNode> lines = JournalSchema.validLines(Files.readString(journal.file()));
        assertThat(lines.get(lines.size() - 1).get("message").asText()).contains("journal reached its cap of 4096 bytes");
    }

    @Test
    void aFieldTheSchemaDoesNotDocumentFailsValidation() throws Exception {
        Journal journal = new Journal(dir, 1 << 20, true);
        journal.append(AT, leak().with("undocumented", 1), "x");
        assertThat(JournalSchema.problems(Files.readString(journal.file()).trim())).isNotEmpty();
    }

    @Test
    void theTextJournalIsUnchanged() throws Exception {
        Journal journal = new Journal(dir, 1 << 20);
        journal.append(AT, leak(), leak().message());
        assertThat(Files.readString(journal.file())).endsWith("  ERROR  leak         1 response body leaked at com.acme.Api.call(Api.java:42) — GET http://h/x?token=***\n")
                .doesNotContain("{");
    }

    @Test
    void mdcFieldsArePutForTheCallAndTheThreadsOwnValuesPutBack() throws Exception {
        AppLogger.KeyValues kv = AppLogger.KeyValues.of(LoggerFactory.getLogger("forensics"), org.slf4j.Logger.class);
        assertThat(kv).isNotNull();
        // slf4j-simple is not LoggingEventAware: SLF4J 2 would write key-values into its line's text, so the MDC it is
        assertThat(kv.fluent()).isFalse();
        // slf4j-simple's MDC is a no-op: the one of bindings that keep it (Logback's, Log4j 2's) is BasicMDCAdapter's behaviour
        java.lang.reflect.Field adapter = MDC.class.getDeclaredField("MDC_ADAPTER");
        adapter.setAccessible(true);
        Object nop = adapter.get(null);
        adapter.set(null, new org.slf4j.helpers.BasicMDCAdapter());
        try {
            mdcRoundTrip(kv);
        } finally {
            adapter.set(null, nop);
        }
    }

    private static void mdcRoundTrip(AppLogger.KeyValues kv) {
        MDC.put("site", "the application's own");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("site", "com.acme.Api.call(Api.java:42)");
        fields.put("count", 3L);
        Object[] saved = kv.putMdc(fields);
        assertThat(MDC.get("site")).isEqualTo("com.acme.Api.call(Api.java:42)");
        assertThat(MDC.get("count")).isEqualTo("3");
        kv.removeMdc(fields, saved);
        assertThat(MDC.get("site")).isEqualTo("the application's own");
        assertThat(MDC.get("count")).isNull();
        MDC.clear();
    }
}
