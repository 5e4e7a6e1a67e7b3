package dev.forensics.samples;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Incident: a long-running service streamed events to a subscriber over a socket; the subscriber's machine went away
 * (its SSH session dropped, the client was killed) and the service's sender kept writing to the dead connection,
 * thousands of "Broken pipe" exceptions a second, caught and counted by a retry loop that never gives up. Here the
 * subscriber is a loopback connection that resets; under the agent, the journal names the loop once, with the
 * sending method, the peer and the rate, and its totals when it stops.
 */
public final class WriterAfterPeerVanished {
    public static void main(String[] args) throws Exception {
        long sendMillis = args.length > 0 ? Long.parseLong(args[0]) : 2000;
        TimeUnit.MILLISECONDS.sleep(2500); // the service starts up (and the agent installs its hooks meanwhile)
        try (ServerSocket subscriberSide = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket toSubscriber = new Socket(InetAddress.getLoopbackAddress(), subscriberSide.getLocalPort())) {
            Socket subscriber = subscriberSide.accept();
            System.out.println("streaming events to subscriber " + toSubscriber.getRemoteSocketAddress());
            subscriber.setSoLinger(true, 0);
            subscriber.close(); // the subscriber vanishes without a goodbye
            TimeUnit.MILLISECONDS.sleep(100);
            long failures = streamEvents(toSubscriber.getOutputStream(), sendMillis);
            System.out.println("sender gave up after " + sendMillis + " ms and " + failures + " failed writes");
        }
        TimeUnit.MILLISECONDS.sleep(2500); // the service lives on; the agent closes the loop when it goes quiet
    }

    /** The sender: every failure is "transient", so it logs nothing and tries the next event at once. */
    static long streamEvents(OutputStream out, long forMillis) {
        byte[] event = "{\"type\":\"tick\",\"payload\":\"…\"}\n".getBytes(StandardCharsets.UTF_8);
        long failures = 0;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMillis);
        while (System.nanoTime() < end) {
            try {
                out.write(event);
            } catch (IOException e) {
                failures++;
            }
        }
        return failures;
    }
}
