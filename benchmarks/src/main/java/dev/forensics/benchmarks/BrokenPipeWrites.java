package dev.forensics.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The failure path: code that keeps writing to a loopback peer that reset the connection and went away, catching
 * each IOException ("Connection reset" once, then "Broken pipe"), the way a log-and-continue relay does. Prints the
 * loop's wall time, the whole process's CPU time (user + system, every thread: the agent's own included) and the
 * writing thread's CPU time (the failure path itself, free of what other threads do), each per failed write. {@code benchmarks/broken-pipe.sh} runs it alternately with and
 * without the agent. Args: socket|channel [failing writes, default 500000] [warm-up writes, default 50000].
 */
public final class BrokenPipeWrites {
    private BrokenPipeWrites() {}

    public static void main(String[] args) throws Exception {
        String api = args.length > 0 ? args[0] : "socket";
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        AgentInstalled.await(api.equals("socket") ? "pipes.socket.write" : "pipes.channel.write");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Writer w;
        try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
            if (api.equals("socket")) {
                Socket s = new Socket(loopback, server.getLocalPort());
                OutputStream out = s.getOutputStream();
                byte[] data = new byte[128];
                w = () -> out.write(data);
            } else {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress(loopback, server.getLocalPort()));
                ByteBuffer buf = ByteBuffer.allocate(128);
                w = () -> {
                    buf.clear();
                    ch.write(buf);
                };
            }
            Socket accepted = server.accept();
            accepted.setSoLinger(true, 0); // the peer resets and is gone: every later write fails at once
            accepted.close();
        }
        Thread.sleep(100);
        if (run(w, warmup) != warmup) {
            throw new IllegalStateException("writes to the vanished peer did not all fail");
        }
        Thread.sleep(1000); // whatever the JVM and the agent still do after start-up is not the failure path
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long process0 = os.getProcessCpuTime();
        long thread0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        int failed = run(w, writes);
        long wall = System.nanoTime() - t0;
        long thread = threads.getCurrentThreadCpuTime() - thread0;
        long process = os.getProcessCpuTime() - process0;
        System.out.printf(
                "%s %.3f us-wall/write %.3f us-cpu/write %.3f us-thread-cpu/write (%d failed of %d writes in %.2f s)%n",
                api, wall / 1e3 / writes, process / 1e3 / writes, thread / 1e3 / writes, failed, writes, wall / 1e9);
    }

    interface Writer {
        void write() throws IOException;
    }

    private static int run(Writer w, int writes) {
        int failed = 0;
        for (int i = 0; i < writes; i++) {
            try {
                w.write();
            } catch (IOException e) {
                failed++;
            }
        }
        return failed;
    }
}
