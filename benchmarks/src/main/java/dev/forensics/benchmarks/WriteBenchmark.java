package dev.forensics.benchmarks;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The success path of the instrumented writes: a 64 KB write to a reading loopback peer through a Socket stream
 * and through a SocketChannel, and a small FileOutputStream write to /dev/null (every file write in the process
 * carries the std stream advice). Run with and without {@code -javaagent} and with {@code -prof gc}: the agent's
 * exit advice must cost no throughput and allocate nothing (gc.alloc.rate.norm equal with and without).
 * {@code benchmarks/jmh-writes.sh} does both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class WriteBenchmark {
    private LoopbackSink socketSink;
    private LoopbackSink channelSink;
    private Socket socket;
    private OutputStream socketOut;
    private SocketChannel channel;
    private final byte[] chunk = new byte[64 * 1024];
    private ByteBuffer direct;
    private FileOutputStream devNull;
    private final byte[] line = new byte[128];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        AgentInstalled.await("pipes.socket.write", "pipes.channel.write", "stdstreams.write");
        socketSink = new LoopbackSink();
        socket = new Socket(InetAddress.getLoopbackAddress(), socketSink.port());
        socketOut = socket.getOutputStream();
        channelSink = new LoopbackSink();
        channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), channelSink.port()));
        direct = ByteBuffer.allocateDirect(64 * 1024);
        devNull = new FileOutputStream("/dev/null");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        socket.close();
        channel.close();
        devNull.close();
        socketSink.close();
        channelSink.close();
    }

    @Benchmark
    public void socketWrite64k() throws IOException {
        socketOut.write(chunk);
    }

    @Benchmark
    public void channelWrite64k() throws IOException {
        direct.clear();
        while (direct.hasRemaining()) {
            channel.write(direct);
        }
    }

    @Benchmark
    public void fileOutputStreamWrite128() throws IOException {
        devNull.write(line);
    }
}
