package dev.forensics.leak;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What tracking adds to one request, without the noise of a network loop: register a body, count one read, see end of
 * stream (the closed-body path every request takes), a lookup that misses (a close of an untracked stream), the cheap
 * origin every body gets, and the stack capture only sampled bodies get. Lives in the agent's package to reach the
 * tracker directly. Run: {@code java -cp benchmarks/target/forensics-benchmarks.jar:benchmarks/target/lib/*:agent/target/forensics.jar
 * org.openjdk.jmh.Main TrackingBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TrackingBenchmark {
    private BodyTracker tracker;
    private Object[] others;
    private Object[] strangers;
    private Origin origin;
    private int i;

    @Setup
    public void setUp() {
        Origin.setSampler(Origin.Sampler.parse("never"));
        tracker = new BodyTracker(50_000);
        others = new Object[1000];
        for (int k = 0; k < others.length; k++) {
            others[k] = new Object();
            tracker.open(
                    others[k],
                    Origin.here(),
                    "JDK HttpClient",
                    "ofInputStream",
                    200,
                    "GET",
                    "http://127.0.0.1:8080/v1/x",
                    -1,
                    0);
        }
        strangers = new Object[1024];
        for (int k = 0; k < strangers.length; k++) {
            strangers[k] = new Object();
        }
        origin = Origin.here();
    }

    /** A body's whole life in the tracker when it is read to its end: open, one read, end of stream. */
    @Benchmark
    public Object openReadToEnd() {
        Object body = new Object();
        tracker.open(
                body,
                origin,
                "JDK HttpClient",
                "ofInputStream",
                200,
                "GET",
                "http://127.0.0.1:8080/v1/x",
                120,
                TrackedBody.LENGTH_COMPLETES);
        tracker.read(body, 100);
        return tracker.read(body, -1);
    }

    /** A close of a stream that is not tracked, with a thousand bodies open. */
    @Benchmark
    public Object closeUntracked() {
        return tracker.close(strangers[i++ & 1023]);
    }

    @Benchmark
    public Object originWithoutStack() {
        return Origin.here();
    }

    @Benchmark
    public void originStack(Blackhole bh) {
        bh.consume(new Origin.Stack());
    }
}
