package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.ValueDescriptor;
import org.junit.jupiter.api.Test;

/** docs/output.md's event reference is what an operator filters a recording by: every event and field, as built. */
class JfrReferenceTest {

    @Test
    void everyEventAndEveryFieldIsInTheReference() throws Exception {
        String doc = Files.readString(Paths.get("..", "docs", "output.md"));
        Path events = Paths.get("target", "classes", "dev", "forensics", "bootstrap", "events");
        List<String> names;
        try (Stream<Path> files = Files.list(events)) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> "dev.forensics.bootstrap.events." + n.substring(0, n.length() - 6)).collect(Collectors.toList());
        }
        int checked = 0;
        for (String name : names) {
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            if (!Event.class.isAssignableFrom(c) || java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
                continue;
            }
            EventType t = EventType.getEventType(c.asSubclass(Event.class));
            int at = doc.indexOf("### `" + t.getName() + "`");
            assertThat(at).as("docs/output.md documents " + t.getName()).isNotNegative();
            int end = doc.indexOf("\n### ", at + 1);
            String section = doc.substring(at, end < 0 ? doc.length() : end);
            for (ValueDescriptor v : t.getFields()) {
                if (List.of("startTime", "duration", "eventThread", "stackTrace").contains(v.getName())) {
                    continue;
                }
                assertThat(section).as(t.getName() + " field " + v.getName()).contains("| `" + v.getName() + "` |");
            }
            checked++;
        }
        assertThat(checked).as("event classes found").isGreaterThanOrEqualTo(14);
    }
}
