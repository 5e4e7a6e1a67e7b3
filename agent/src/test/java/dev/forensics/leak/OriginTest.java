package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.report.AppFrames;
import java.util.ArrayList;
import java.util.List;
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
    void theStackIsHeadedByTheFirstApplicationFrameWithTheLibraryFramesAboveItListedAfterIt() {
        // A deep framework stack: the client, 35 frames of library code, then the application's interceptor.
        AppFrames.setAppPackages("com.acme");
        try {
            List<StackTraceElement> raw = new ArrayList<>();
            raw.add(frame("dev.forensics.leak.Origin", "here"));
            raw.add(frame("dev.forensics.instrument.apache5.Apache5Hooks", "opened"));
            raw.add(frame("org.apache.hc.client5.http.impl.classic.InternalExecRuntime", "execute"));
            for (int i = 0; i < 35; i++) {
                raw.add(frame("org.springframework.cloud.Layer" + i, "call"));
            }
            raw.add(frame("com.acme.Clients$RetryOnceOn5xx", "intercept"));
            raw.add(frame("org.springframework.http.client.InterceptingClientHttpRequest", "execute"));
            raw.add(frame("com.acme.Service", "call"));
            raw.add(frame("com.acme.Controller", "get"));
            Origin.Stack stack = new Origin.Stack();
            stack.setStackTrace(raw.toArray(new StackTraceElement[0]));
            StackTraceElement[] frames = stack.frames();
            assertThat(frames[0].getClassName()).isEqualTo("com.acme.Clients$RetryOnceOn5xx");
            assertThat(stack.via()).isEqualTo(Origin.MAX_VIA);
            assertThat(frames[1].getClassName()).as("nearest the application's line first").isEqualTo("org.springframework.cloud.Layer34");
            assertThat(frames[Origin.MAX_VIA].getClassName()).isEqualTo("org.springframework.cloud.Layer30");
            assertThat(frames[Origin.MAX_VIA + 1].getClassName()).isEqualTo("org.springframework.http.client.InterceptingClientHttpRequest");
            assertThat(frames).hasSize(Origin.MAX_FRAMES);
            assertThat(stack.frames()).as("resolved once").isSameAs(frames);
        } finally {
            AppFrames.setAppPackages(null);
        }
    }

    @Test
    void aStackFromThisTestIsHeadedByTheFirstFrameOutsideTheAgentAndTheLibraries() {
        // This test lives in an agent package, so its own frame is skipped like the agent's; the frames below it are
        // JUnit's (jars that do not hold the main class) and the JDK's, so the head is the first frame of the test
        // runner, named whatever it is rather than "unsampled".
        Origin.Stack stack = new Origin.Stack();
        StackTraceElement[] frames = stack.frames();
        assertThat(frames).isNotEmpty();
        assertThat(frames[0].getClassName()).doesNotStartWith("dev.forensics.leak.");
    }

    private static StackTraceElement frame(String className, String method) {
        return new StackTraceElement(className, method, className.substring(className.lastIndexOf('.') + 1) + ".java", 10);
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
