package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.ReferenceQueue;
import org.junit.jupiter.api.Test;

/** The one sentence an operator reads when a client's connection pool refuses an acquire. */
class PoolRefusalLineTest {
    private static Tallies.Tally example() {
        TrackedBody r = new TrackedBody(new Object(), new ReferenceQueue<>(), 1, new Origin(System.nanoTime(), "main", null),
                "Reactor Netty 1.2.11", "body never consumed or cancelled", 500, "GET", "http://api/v1/chat?token=s3cret", -1, 0);
        return new Tallies.Tally(BodyLine.key(r), r);
    }

    @Test
    void namesThePoolTheRefusalTheOpenBodiesAndTheSiteToFix() {
        String line = LeakWatcher.refusalLine("Reactor Netty", "proxy", "500 acquires already pending, its limit (PoolAcquirePendingLimitException)",
                100, "com.acme.Proxy.forward(Proxy.java:42)", 97, example());
        assertThat(line).startsWith("connection pool 'proxy' (Reactor Netty) refused an acquire: 500 acquires already pending, its limit"
                + " (PoolAcquirePendingLimitException); 100 response bodies open, most (97) from com.acme.Proxy.forward(Proxy.java:42)")
                .contains("GET http://api/v1/chat?token=*** → 500").doesNotContain("s3cret")
                .endsWith("; fix that site: consume, release or cancel every response body, error responses too");
    }

    @Test
    void allFromOneSiteSaysSo() {
        assertThat(LeakWatcher.refusalLine("Reactor Netty", "p", "x", 2, "A.b(A.java:1)", 2, null)).contains("2 response bodies open, all from A.b(A.java:1); fix");
        assertThat(LeakWatcher.refusalLine("Reactor Netty", "p", "x", 1, "A.b(A.java:1)", 1, null)).contains("1 response body open, from A.b(A.java:1); fix");
    }

    @Test
    void withoutOpenBodiesBlamesLoadNotALeak() {
        assertThat(LeakWatcher.refusalLine("Reactor Netty", "p", "x", 0, null, 0, null))
                .endsWith("no Reactor Netty response body is open, so its connections are busy with requests in flight: the pool is too small for the load or the server too slow");
    }

    @Test
    void anUnsampledSiteSaysHowToNameIt() {
        assertThat(LeakWatcher.refusalLine("Reactor Netty", "p", "x", 3, BodyLine.UNSAMPLED, 3, null)).endsWith("; leakStacks=always names the site");
    }
}
