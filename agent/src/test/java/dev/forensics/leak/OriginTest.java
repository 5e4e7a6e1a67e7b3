package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginTest {
    @Test
    void samplingOptionsParse() {
        assertThat(Origin.Sampler.parse("always").take(System.nanoTime())).isTrue();
        assertThat(Origin.Sampler.parse("never").take(System.nanoTime())).isFalse();
        assertThat(Origin.Sampler.parse("100/s")).hasToString("100/s");
        assertThat(Origin.Sampler.parse("0.5%")).hasToString("0.5%");
        assertThat(Origin.Sampler.parse("0/s")).isNull();
        assertThat(Origin.Sampler.parse("0%")).isNull();
        assertThat(Origin.Sampler.parse("often")).isNull();
    }

    @Test
    void aRateAllowsThatManyStacksPerSecond() {
        Origin.Sampler s = Origin.Sampler.parse("5/s");
        long t = 10_000_000_000L;
        int taken = 0;
        for (int i = 0; i < 1000; i++) {
            if (s.take(t + i)) {
                taken++;
            }
        }
        assertThat(taken).isEqualTo(5);
        assertThat(s.take(t + 1_000_000_000L)).as("a new second").isTrue();
    }

    @Test
    void aTimeShareAllowsStacksUntilItsBudgetIsSpent() {
        Origin.Sampler s = Origin.Sampler.parse("1%"); // 10 ms per second
        long t = 20_000_000_000L;
        int taken = 0;
        for (int i = 0; i < 100; i++) {
            if (s.take(t + i)) {
                taken++;
                s.spent(t + i, 3_000_000L); // 3 ms each
            }
        }
        assertThat(taken).isEqualTo(4); // 0, 3, 6, 9 ms spent before each: the fourth still fits
        assertThat(s.take(t + 1_000_000_000L)).isTrue();
    }

    @Test
    void theStackStartsAtTheFirstFrameThatIsNeitherJdkNorLibraryNorAgent() {
        // This test lives in an agent package, so its own frame is skipped like the agent's: the first frame left is
        // the first one outside java.*, jdk.*, the HTTP libraries and dev.forensics.{agent,leak,…}.
        Origin.Stack stack = new Origin.Stack();
        StackTraceElement[] raw = stack.getStackTrace();
        int first = 0;
        while (Origin.isLibraryFrame(raw[first].getClassName())) {
            first++;
        }
        assertThat(raw[0].getClassName()).isEqualTo(OriginTest.class.getName());
        StackTraceElement[] frames = stack.frames();
        assertThat(frames[0]).isEqualTo(raw[first]);
        assertThat(frames).hasSize(Math.min(Origin.MAX_FRAMES, raw.length - first));
        assertThat(stack.frames()).as("resolved once").isSameAs(frames);
    }

    @Test
    void libraryFramesAreSkipped() {
        assertThat(Origin.isLibraryFrame("okhttp3.internal.connection.RealCall")).isTrue();
        assertThat(Origin.isLibraryFrame("org.apache.hc.client5.http.impl.classic.CloseableHttpClient")).isTrue();
        assertThat(Origin.isLibraryFrame("java.net.http.HttpClient")).isTrue();
        assertThat(Origin.isLibraryFrame("dev.forensics.leak.BodyTracker")).isTrue();
        assertThat(Origin.isLibraryFrame("com.acme.Proxy")).isFalse();
        assertThat(Origin.isLibraryFrame("dev.forensics.targets.http.JdkClient")).isFalse();
    }
}
