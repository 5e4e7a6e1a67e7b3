package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class BodyLineTest {
    private static TrackedBody body(Object target, Object host, int status, StackTraceElement... stack) {
        String url = BodyLine.url(target, host);
        Origin o = new Origin(System.nanoTime(), "worker-1", stack.length == 0 ? null : new Origin.Stack(stack));
        return new TrackedBody(new Object(), null, 1, o, "JDK HttpClient", "ofInputStream", status, "POST", url, -1, 0);
    }

    private static final StackTraceElement RELAY = new StackTraceElement("com.acme.Proxy", "relay", "Proxy.java", 88);

    @Test
    void aLeakReadsLikeTheIssueSaysWithTheErrorCalledOut() {
        Tallies tallies = new Tallies(10);
        for (int i = 0; i < 12; i++) {
            tallies.add(body(URI.create("https://api.example.com/v1/chat?key=sk-secret"), null, 500, RELAY));
        }
        Tallies.Tally t = tallies.largestFirst().get(0);
        String line = LeakWatcher.leakLine(t);
        assertThat(line).startsWith("12 response bodies leaked at com.acme.Proxy.relay(Proxy.java:88) — "
                + "POST https://api.example.com/v1/chat?key=*** → 500 (JDK HttpClient, ofInputStream); first ")
                .contains(", last ").contains("an error response").doesNotContain("sk-secret");
        assertThat(tallies.size()).isEqualTo(1);
        assertThat(t.count).isEqualTo(12);
    }

    @Test
    void unsampledBodiesSayHowToNameTheirSite() {
        Tallies tallies = new Tallies(10);
        Tallies.Tally t = tallies.add(body(URI.create("http://h/x"), null, 200));
        assertThat(LeakWatcher.leakLine(t)).startsWith("1 response body leaked at an unsampled call site — POST http://h/x → 200")
                .contains("obtained ").contains("leakStacks=always").doesNotContain("error response");
    }

    @Test
    void aSiteThatKeepsLeakingGetsARunningTotalAtMostOnceAMinute() {
        Tallies tallies = new Tallies(10);
        long t0 = 1_000_000_000L;
        long minute = LeakWatcher.PROGRESS_NANOS;
        Tallies.Tally t = tallies.add(body(URI.create("https://api.example.com/v1/chat"), null, 500, RELAY));
        assertThat(t.lineDue(t0, minute, false)).as("a site's first leak: at once").isTrue();
        t.lineWritten(t0);
        for (int i = 0; i < 36; i++) {
            tallies.add(body(URI.create("https://api.example.com/v1/chat"), null, 500, RELAY));
        }
        assertThat(t.lineDue(t0 + minute / 2, minute, false)).as("within the minute: held").isFalse();
        assertThat(t.lineDue(t0 + minute / 2, minute, true)).as("at exit: whatever is left").isTrue();
        assertThat(t.lineDue(t0 + minute, minute, false)).isTrue();
        String line = LeakWatcher.progressLine(t, t.unreported);
        assertThat(line).startsWith("36 response bodies leaked at com.acme.Proxy.relay(Proxy.java:88) (total 37 since "
                + BodyLine.clock(t.firstNanos) + ") — POST https://api.example.com/v1/chat → 500 (JDK HttpClient, ofInputStream); last obtained ")
                .contains("never closed, now unreachable (GC-confirmed)");
        t.lineWritten(t0 + minute);
        assertThat(t.lineDue(t0 + 3 * minute, minute, false)).as("nothing new: no line").isFalse();
        tallies.add(body(URI.create("https://api.example.com/v1/chat"), null, 500, RELAY));
        assertThat(t.lineDue(t0 + minute + 1, minute, false)).isFalse();
        assertThat(t.lineDue(t0 + 2 * minute, minute, false)).isTrue();
        assertThat(LeakWatcher.progressLine(t, t.unreported)).startsWith("1 response body leaked at com.acme.Proxy.relay(Proxy.java:88) (total 38 since ");
    }

    @Test
    void theStackListsTheLibraryFramesTheSiteCalledThroughThenItsCallers() {
        StackTraceElement[] frames = {
            RELAY, new StackTraceElement("org.springframework.web.client.RestTemplate", "doExecute", "RestTemplate.java", 900),
            new StackTraceElement("com.acme.Api", "handle", "Api.java", 12),
        };
        Origin.Stack stack = new Origin.Stack();
        stack.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("dev.forensics.leak.Origin", "here", "Origin.java", 1),
            new StackTraceElement("org.apache.hc.client5.http.impl.classic.InternalExecRuntime", "execute", "InternalExecRuntime.java", 5),
            frames[1], frames[0], frames[2],
        });
        dev.forensics.report.AppFrames.setAppPackages("com.acme");
        try {
            TrackedBody r = new TrackedBody(new Object(), null, 1, new Origin(System.nanoTime(), "w", stack), "Apache HttpClient 5", "entity",
                    500, "GET", "http://h/x", -1, 0);
            assertThat(BodyLine.site(r)).isEqualTo("com.acme.Proxy.relay(Proxy.java:88)");
            assertThat(BodyLine.stack(r)).isEqualTo("com.acme.Proxy.relay(Proxy.java:88)\n"
                    + "  via org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:900)\n"
                    + "  via org.apache.hc.client5.http.impl.classic.InternalExecRuntime.execute(InternalExecRuntime.java:5)\n"
                    + "  from com.acme.Api.handle(Api.java:12)");
        } finally {
            dev.forensics.report.AppFrames.setAppPackages(null);
        }
    }

    @Test
    void identifierSegmentsGroupTogetherButVersionsStay() {
        assertThat(BodyLine.shape("https://api.example.com/v1/users/12345/orders/3f2a9c1e-77aa-4b1d-9c1e-0123456789ab?x=***"))
                .isEqualTo("https://api.example.com/v1/users/{id}/orders/{id}?x=***");
        assertThat(BodyLine.shape("http://h/close/7")).isEqualTo("http://h/close/{id}");
        assertThat(BodyLine.shape("http://h:8080")).isEqualTo("http://h:8080");
        assertThat(BodyLine.shape("http://h/a/b#frag")).isEqualTo("http://h/a/b#frag");
    }

    @Test
    void hostAndPathAreJoinedForClientsThatKeepThemApart() {
        assertThat(BodyLine.rawUrl("/v1/chat?x=1", "http://api:8080")).isEqualTo("http://api:8080/v1/chat?x=1");
        assertThat(BodyLine.rawUrl("/v1/chat", "api:8080")).isEqualTo("http://api:8080/v1/chat");
        assertThat(BodyLine.rawUrl("https://api/v1", "http://other")).isEqualTo("https://api/v1");
        assertThat(BodyLine.rawUrl(null, null)).isNull();
    }

    /** A host that renders like Apache's HttpHost and counts its renderings. */
    private record Host(String name, int port, int[] rendered) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Host h && h.name.equals(name) && h.port == port;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + port;
        }

        @Override
        public String toString() {
            rendered[0]++;
            return "http://" + name + ":" + port;
        }
    }

    @Test
    void anEqualHostReusesTheLastTextAndAnotherHostIsRenderedAfresh() {
        int[] rendered = {0};
        assertThat(BodyLine.rawUrl("/a", new Host("api", 80, rendered))).isEqualTo("http://api:80/a");
        assertThat(BodyLine.rawUrl("/b", new Host("api", 80, rendered))).isEqualTo("http://api:80/b");
        assertThat(rendered[0]).as("an equal host is not rendered again").isEqualTo(1);
        assertThat(BodyLine.rawUrl("/c", new Host("other", 81, rendered))).isEqualTo("http://other:81/c");
        assertThat(BodyLine.rawUrl("/d", new Host("api", 80, rendered))).isEqualTo("http://api:80/d");
        assertThat(BodyLine.rawUrl("/e", "api:8080")).as("a host of another class").isEqualTo("http://api:8080/e");
        assertThat(rendered[0]).isEqualTo(3);
    }

    @Test
    void repeatedUrlsShareOneStringUntilTheTableIsFullThenStringsAreKeptAsGiven() {
        String a = BodyLine.intern(new String("http://api/v1/chat"));
        assertThat(BodyLine.intern(new String("http://api/v1/chat"))).isSameAs(a);
        assertThat(BodyLine.intern(null)).isNull();
        // one test, not two: the table is the JVM's, so filling it must come after the sharing is checked
        for (int i = 0; i < 5000; i++) {
            BodyLine.intern("http://api/v1/users/" + i);
        }
        String late = new String("http://api/v1/chat");
        assertThat(BodyLine.intern(late)).as("no lookup once full").isSameAs(late);
    }

    @Test
    void agesReadAtAGlance() {
        assertThat(BodyLine.age(850_000_000L)).isEqualTo("850ms");
        assertThat(BodyLine.age(12_000_000_000L)).isEqualTo("12s");
        assertThat(BodyLine.age(185_000_000_000L)).isEqualTo("3m05s");
        assertThat(BodyLine.age(7_800_000_000_000L)).isEqualTo("2h10m");
    }
}
