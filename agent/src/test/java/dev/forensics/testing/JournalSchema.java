package dev.forensics.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON journal's schema, {@code docs/journal.schema.json}, as the networknt validator reads it (format assertions
 * on, so {@code time} must be a date-time): each journal line parsed strictly with Jackson and validated.
 */
public final class JournalSchema {
    public static final Path FILE = Paths.get(System.getProperty("forensics.journal.schema", "../docs/journal.schema.json")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Schema schema;

    private JournalSchema() {}

    static synchronized Schema schema() {
        if (schema == null) {
            try {
                SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
                schema = registry.getSchema(Files.newInputStream(FILE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema;
    }

    /** The line as a tree; throws when it is not one JSON object. */
    public static JsonNode parse(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) {
                throw new AssertionError("not a JSON object: " + line);
            }
            return node;
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** What the schema says is wrong with the line, empty when it validates. */
    public static List<String> problems(String line) {
        List<String> out = new ArrayList<>();
        for (Error e : schema().validate(parse(line), ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)))) {
            out.add(e.toString());
        }
        return out;
    }

    /** Parses and validates every line of a journal; returns the parsed lines. */
    public static List<JsonNode> validLines(String journal) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : journal.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            List<String> problems = problems(line);
            if (!problems.isEmpty()) {
                throw new AssertionError("journal line does not validate against " + FILE + ": " + problems + "\n" + line);
            }
            out.add(parse(line));
        }
        return out;
    }
}
