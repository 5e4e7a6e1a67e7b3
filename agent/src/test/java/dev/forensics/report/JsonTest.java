package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("site", "a.B.c(B.java:1)");
        m.put("count", 12);
        m.put("ok", true);
        m.put("list", List.of("x\"y", "line\nbreak", "\u0001"));
        m.put("none", null);
        assertThat(Json.write(m)).isEqualTo("{\"site\":\"a.B.c(B.java:1)\",\"count\":12,\"ok\":true,\"list\":[\"x\\\"y\",\"line\\nbreak\",\"\\u0001\"],\"none\":null}");
    }
}
