package dev.forensics.benchmarks;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Whole-process socket write throughput: 64 KB writes to a reading peer on loopback for a fixed time, after a
 * warm-up, printed as MB/s and as the writing thread's CPU time (user + system, so the kernel's copy too) per
 * write, which a loaded machine disturbs far less than wall-clock throughput, and the bytes the writing thread
 * allocated per write (its own counter, so exact whatever else the process does). {@code benchmarks/socket-write.sh} runs it alternately with and without the agent.
 * Args: socket|channel [seconds, default 5] [warm-up seconds, default 2] [chunk KB, default 64].
 */
public final class SocketWriteLoop {
    private SocketWriteLoop() {}

    public static void main(String[] args) throws Exception {
        String api = args.length > 0 ? args[0] : "socket";
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
        long warmup = args.length > 2 ? Long.parseLong(args[2]) : 2;
        int chunk = (args.length > 3 ? Integer.parseInt(args[3]) : 64) * 1024;
        AgentInstalled.await(api.equals("socket") ? "pipes.socket.write" : "pipes.channel.write");
        byte[] data = new byte[chunk];
        try (LoopbackSink sink = new LoopbackSink()) {
            Writer w;
            if (api.equals("socket")) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), sink.port());
                OutputStream out = s.getOutputStream();
                w = () -> out.write(data);
            } else {
                SocketChannel ch =
                        SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.port()));
                ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
                w = () -> {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                };
            }
            run(w, warmup * 1_000_000_000L);
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long self = Thread.currentThread().getId();
            long alloc0 = threads.getThreadAllocatedBytes(self);
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long writes = run(w, seconds * 1_000_000_000L);
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpuMicrosPerWrite = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / writes;
            double bytesPerWrite = (threads.getThreadAllocatedBytes(self) - alloc0) / (double) writes;
            System.out.printf(
                    "%s %.1f MB/s %.2f us-cpu/write %.4f B-allocated/write (%d writes of %d KB in %.2f s)%n",
                    api,
                    writes * (double) chunk / secs / 1e6,
                    cpuMicrosPerWrite,
                    bytesPerWrite,
                    writes,
                    chunk / 1024,
                    secs);
        }
    }

    interface Writer {
        void write() throws Exception;
    }

    private static long run(Writer w, long nanos) throws Exception {
        long end = System.nanoTime() + nanos;
        long n = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 64; i++) {
                w.write();
            }
            n += 64;
        }
        return n;
    }
}
