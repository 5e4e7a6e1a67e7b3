package dev.forensics.pipe;

import dev.forensics.agent.AgentOptions;
import dev.forensics.benchmarks.FailingWriter;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.PipeHooks;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
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

/**
 * What the agent adds to one failed socket write, without the system call and the JDK's own exception: the hook
 * called from an application frame (as woven advice calls it), through classification, the writing site, the
 * per-(peer, site) count and the loop verdict. {@code loopingWrite} is the broken-pipe loop itself (one thread,
 * one peer, one site, millions of times); {@code twoSitesOnePeer} alternates two sites writing to one peer (the
 * site must still be told apart: every failure walks); {@code manyPeers} spreads failures over 8 peers from one site. Each failure
 * carries a message string of its own, as a real one does. Lives in the agent's package to reach the recorder.
 * Run: {@code java -cp benchmarks/target/forensics-benchmarks.jar:benchmarks/target/lib/*:agent/target/forensics.jar
 * org.openjdk.jmh.Main FailedWriteBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FailedWriteBenchmark {
    private static final int ERRORS = 64;

    private SocketException[] errors;
    private InetAddress address;
    private InetSocketAddress[] peers;
    private int i;

    @Setup
    public void setUp() throws Exception {
        WriteFailures failures =
                new WriteFailures(AgentOptions.defaults().pipes().loopFailures(), 10_000_000_000L);
        PipeHooks.register(new PipeRecorder(failures, new StdStreams(), new LoopWatch(failures)));
        Feature.enable(Feature.PIPES, true);
        errors = new SocketException[ERRORS];
        for (int k = 0; k < ERRORS; k++) {
            errors[k] = new SocketException(new String("Broken pipe".toCharArray()));
        }
        address = InetAddress.getByName("10.0.0.7");
        peers = new InetSocketAddress[8];
        for (int k = 0; k < peers.length; k++) {
            peers[k] = new InetSocketAddress(InetAddress.getByName("10.0.1." + k), 5432);
        }
    }

    @Benchmark
    public void loopingWrite() {
        FailingWriter.socketWrite(errors[i++ & (ERRORS - 1)], address, 5432);
    }

    @Benchmark
    public void twoSitesOnePeer() {
        int n = i++;
        if ((n & 1) == 0) {
            FailingWriter.socketWrite(errors[n & (ERRORS - 1)], address, 5432);
        } else {
            FailingWriter.socketWriteElsewhere(errors[n & (ERRORS - 1)], address, 5432);
        }
    }

    @Benchmark
    public void manyPeers() {
        int n = i++;
        FailingWriter.channelWrite(errors[n & (ERRORS - 1)], peers[n & 7]);
    }
}
