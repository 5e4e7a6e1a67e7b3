package dev.forensics.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetersTest {
    @AfterEach
    void reset() {
        Meters.leaks(null);
        Meters.pipes(null);
        Meters.agent(null);
    }

    static Map<String, Long> read(Meters.Meter m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.reading().read((value, tags) -> out.put(String.join(",", tags), value));
        return out;
    }

    @Test
    void aFeatureThatIsOffHasNoMeters() {
        assertThat(Meters.all()).isEmpty();
        Meters.agent(new Meters.AgentFigures() {
            public long hooksActive() { return 30; }
            public long hooksMissing() { return 1; }
            public long suppressedErrors() { return 2; }
        });
        assertThat(Meters.all()).extracting(Meters.Meter::name)
                .containsExactly("forensics.agent.hooks.active", "forensics.agent.hooks.missing", "forensics.agent.errors.suppressed");
        assertThat(read(Meters.all().get(1))).containsEntry("", 1L);
    }

    @Test
    void leakMetersAreTaggedByClientAndStatusClassOnlyAndUnknownHealthFiguresAreLeftOut() {
        Meters.leaks(new Meters.LeakFigures() {
            public long open() { return 3; }
            public Map<String, Long> openByClient() { return Map.of("JDK HttpClient", 3L); }
            public Map<List<String>, Long> leakedByClientAndStatus() { return Map.of(List.of("HttpURLConnection", "5xx"), 7L); }
            public long heldTooLong() { return 1; }
            public long untracked() { return 0; }
            public long liveThreads() { return 12; }
            public long openFileDescriptors() { return -1; }
            public long closeWaitSockets() { return 4; }
        });
        Map<String, Meters.Meter> byName = new LinkedHashMap<>();
        for (Meters.Meter m : Meters.all()) {
            byName.put(m.name(), m);
            assertThat(m.name()).matches("forensics(\\.[a-z]+)+");
            assertThat(m.tags()).isSubsetOf("client", "status");
        }
        Meters.Meter open = byName.get("forensics.response.bodies.open");
        assertThat(open.type()).isEqualTo(Meters.Type.GAUGE);
        assertThat(open.tags()).containsExactly("client");
        assertThat(read(open)).containsExactly(Map.entry("JDK HttpClient", 3L));
        Meters.Meter leaked = byName.get("forensics.response.bodies.leaked");
        assertThat(leaked.type()).isEqualTo(Meters.Type.COUNTER);
        assertThat(read(leaked)).containsExactly(Map.entry("HttpURLConnection,5xx", 7L));
        assertThat(read(byName.get("forensics.process.fds.open"))).as("-1: not known here, no value").isEmpty();
        assertThat(read(byName.get("forensics.sockets.close.wait"))).containsEntry("", 4L);
        assertThat(byName.get("forensics.response.bodies.held.too.long").type()).isEqualTo(Meters.Type.COUNTER);
    }

    @Test
    void statusClassesAreSixValuesAtMost() {
        List<String> classes = new ArrayList<>();
        for (int s : new int[] {-1, 0, 99, 101, 200, 204, 302, 404, 500, 503, 599, 600, 1000}) {
            classes.add(Meters.statusClass(s));
        }
        assertThat(classes).containsExactly("unknown", "unknown", "unknown", "1xx", "2xx", "2xx", "3xx", "4xx", "5xx", "5xx", "5xx", "unknown", "unknown");
    }

    @Test
    void clientTagsKeepTheMajorVersionOnly() {
        assertThat(Meters.clientTag("Spring WebClient 6.2.12 on Reactor Netty 1.2.11")).isEqualTo("Spring WebClient 6 on Reactor Netty 1");
        assertThat(Meters.clientTag("OkHttp 4.12.0")).isEqualTo("OkHttp 4");
        assertThat(Meters.clientTag("Jetty HttpClient 12.0.29")).isEqualTo("Jetty HttpClient 12");
        assertThat(Meters.clientTag("Apache HttpClient 5 async")).isEqualTo("Apache HttpClient 5 async");
        assertThat(Meters.clientTag("JDK HttpClient")).isEqualTo("JDK HttpClient");
        assertThat(Meters.clientTag(null)).isEqualTo("unknown");
        assertThat(Meters.majorVersions("Client 10 and 2.x-rc1 then 3")).isEqualTo("Client 10 and 2 then 3");
        assertThat(Meters.majorVersions("v 1.")).isEqualTo("v 1");
        assertThat(Meters.majorVersions("Ktor 2.3.4-eap, Vert.x 4.5.1")).isEqualTo("Ktor 2, Vert.x 4");
    }
}
