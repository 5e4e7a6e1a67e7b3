package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ShapesTest {
    private static final String CLIENT = "Apache HttpClient 5";

    private static int taken(Shapes s, int n, String method, Object url, int status) {
        int taken = 0;
        for (int i = 0; i < n; i++) {
            if (s.byShape(CLIENT, method, url, status)) {
                taken++;
            }
        }
        return taken;
    }

    @Test
    void theFirstBodiesOfEachNewShapeTakeAStackAndLaterOnesDoNot() {
        Shapes s = new Shapes();
        assertThat(taken(s, 1000, "GET", "http://api:8080/v1/ok", 200)).isEqualTo(Shapes.FIRST);
        // after a thousand correct calls, a rare call of another shape is still among its shape's first
        assertThat(s.wantStack(CLIENT, "GET", "http://api:8080/v1/ok", 500)).as("another status").isTrue();
        assertThat(s.wantStack(CLIENT, "POST", "http://api:8080/v1/ok", 200)).as("another method").isTrue();
        assertThat(s.wantStack("OkHttp 4.12.0", "GET", "http://api:8080/v1/ok", 200)).as("another client").isTrue();
        assertThat(s.wantStack(CLIENT, "GET", "http://api:8080/v1/rare", 200)).as("another path").isTrue();
    }

    @Test
    void identifiersAndQueriesDoNotMakeANewShape() {
        Shapes s = new Shapes();
        int taken = 0;
        for (int i = 0; i < 1000; i++) {
            taken += s.byShape(CLIENT, "GET", "http://api/users/" + (1000 + i) + "/orders?page=" + i + "#top", 200) ? 1 : 0;
            taken += s.byShape(CLIENT, "GET", "http://api/tokens/" + java.util.UUID.randomUUID(), 200) ? 1 : 0;
        }
        assertThat(taken).isEqualTo(2 * Shapes.FIRST);
        int a = Shapes.hash(CLIENT, "GET", "http://api/users/12/orders", 200);
        assertThat(Shapes.hash(CLIENT, "GET", URI.create("http://api/users/99/orders?x=1"), 200)).as("a URI").isEqualTo(
                Shapes.hash(CLIENT, "GET", URI.create("http://api/users/7/orders"), 200));
        assertThat(Shapes.hash(CLIENT, "GET", "http://api/users/12/invoices", 200)).isNotEqualTo(a);
        assertThat(Shapes.hash(CLIENT, "GET", "http://api/v1/users/12/orders", 200)).as("versions stay").isNotEqualTo(
                Shapes.hash(CLIENT, "GET", "http://api/v2/users/12/orders", 200));
    }

    @Test
    void theTableIsBoundedWhenEveryUrlIsUnique() {
        Shapes s = new Shapes();
        int taken = 0;
        for (int i = 0; i < 100_000; i++) {
            // letters only: nothing the shape can recognise as an identifier
            taken += s.byShape(CLIENT, "GET", "http://api/users/" + Integer.toString(i, 26).replaceAll("[0-9]", "x") + "a" + i % 7, 200) ? 1 : 0;
        }
        assertThat(taken).isLessThanOrEqualTo(Shapes.SLOTS / 4 * 3 * Shapes.FIRST);
        assertThat(s.wantStack(CLIENT, "GET", "http://api/brand/new", 200)).as("full: left to the sampler").isFalse();
        assertThat(s.wantStack(CLIENT, "GET", "http://api/brand/new", 503)).as("an error response: the allowance").isTrue();
    }

    @Test
    void aShapeThatLeakedWithoutAStackIsArmedForItsNextBodies() {
        Shapes s = new Shapes();
        String url = "http://api/v1/chat";
        taken(s, 100, "GET", url, 500);
        Origin none = new Origin(System.nanoTime(), "worker", null);
        s.arm(new TrackedBody(new Object(), null, 1, none, CLIENT, "entity", 500, "GET", url, -1, 0));
        assertThat(taken(s, 100, "GET", url, 500)).isEqualTo(Shapes.ARMED);
    }

    @Test
    void originsTakenBeforeTheirResponseHaveNoShapeAndGetTheFirstFewThenWhatALeakArms() {
        Shapes s = new Shapes();
        int taken = 0;
        for (int i = 0; i < 1000; i++) {
            taken += s.deferredByCount() ? 1 : 0;
        }
        assertThat(taken).isEqualTo(Shapes.FIRST_DEFERRED);
        Origin later = new Origin(System.nanoTime(), "worker", null, true);
        TrackedBody leaked = new TrackedBody(new Object(), null, 1, later, "JDK HttpClient", "ofInputStream", 500, "GET", "http://h/x", -1, 0);
        assertThat(leaked.flags & TrackedBody.DEFERRED).isNotZero();
        s.arm(leaked);
        taken = 0;
        for (int i = 0; i < 1000; i++) {
            taken += s.deferredByCount() ? 1 : 0;
        }
        assertThat(taken).isEqualTo(Shapes.ARMED);
    }

    @Test
    void errorResponsesAndDeferredOriginsTakeAStackUpToAnAllowanceASecondWhateverTheirShape() {
        Shapes s = new Shapes();
        // one shape, many sites: after the shape's first bodies, error bodies still take a stack, up to the allowance
        int taken = 0;
        for (int i = 0; i < 1000; i++) {
            taken += s.wantStack(CLIENT, "GET", "http://upstream/v1/chat", 500) ? 1 : 0;
        }
        assertThat(taken).as("within about a second").isBetween(Shapes.FIRST + Shapes.ERRORS_PER_SECOND - 1, Shapes.FIRST + 2 * Shapes.ERRORS_PER_SECOND);
        assertThat(taken(s, 1000, "GET", "http://upstream/v1/ok", 200)).as("successes stay with the shape rule").isEqualTo(Shapes.FIRST);

        Origin.Sampler a = Origin.Sampler.perSecond(Shapes.ERRORS_PER_SECOND);
        long t = 5L << 30;
        int first = 0;
        for (int i = 0; i < 1000; i++) {
            first += a.take(t + i) ? 1 : 0;
        }
        assertThat(first).isEqualTo(Shapes.ERRORS_PER_SECOND);
        assertThat(a.take(t + (1L << 30))).as("the next window").isTrue();
        Origin.Sampler d = Origin.Sampler.perSecond(Shapes.DEFERRED_PER_SECOND);
        int later = 0;
        for (int i = 0; i < 1000; i++) {
            later += d.take(-t + i) ? 1 : 0; // System.nanoTime() may be negative
        }
        assertThat(later).isEqualTo(Shapes.DEFERRED_PER_SECOND);
    }
}
