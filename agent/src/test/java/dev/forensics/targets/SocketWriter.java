package dev.forensics.targets;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The sloppy writer: connects to a loopback peer, then writes {@code writes} chunks in a loop and shrugs off every
 * failure, the way code that logs-and-continues keeps writing to a peer that went away. Prints how many writes
 * failed, stays quiet long enough for a loop to be judged over, then prints the agent's report section.
 *
 * <p>Args: dir api port writes chunkBytes quietMillis; api is socket, channel, nonblocking, gather, adaptor, tls,
 * sites (three sites per turn on one socket) or moving (one site for {@code writes}, then another for as many),
 * optionally prefixed {@code early-}: connect first, then wait for the agent's (delayed) installation, so the socket
 * classes were loaded before the agent's hooks existed.
 */
public final class SocketWriter {
    public static void main(String[] args) throws Exception {
        boolean early = args[1].startsWith("early-");
        String api = early ? args[1].substring("early-".length()) : args[1];
        if (!early) {
            AgentReady.await(args[0]);
        }
        int port = Integer.parseInt(args[2]);
        int writes = Integer.parseInt(args[3]);
        byte[] chunk = new byte[Integer.parseInt(args[4])];
        long quietMillis = Long.parseLong(args[5]);
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", port);

        Result r;
        if (api.equals("socket") || api.equals("tls") || api.equals("adaptor") || api.equals("sites") || api.equals("moving")) {
            Socket s;
            if (api.equals("tls")) {
                SSLSocket ssl = (SSLSocket) SSLSocketFactory.getDefault().createSocket(peer.getAddress(), port);
                ssl.startHandshake();
                s = ssl;
            } else if (api.equals("adaptor")) {
                s = SocketChannel.open(peer).socket();
            } else {
                s = new Socket(peer.getAddress(), port);
            }
            if (early) {
                System.out.println("CONNECTED before the agent installed");
                AgentReady.await(args[0]);
            }
            if (early) {
                System.out.println("CONNECTED before the agent installed");
                AgentReady.await(args[0]);
            }
            Thread.sleep(300); // the vanishing peer is gone by now
            if (api.equals("sites")) {
                r = keepWritingFrames(s.getOutputStream(), chunk, writes);
            } else if (api.equals("moving")) {
                r = keepWriting(s.getOutputStream(), chunk, writes);
                Result later = keepWritingElsewhere(s.getOutputStream(), chunk, writes);
                r.failures += later.failures;
                r.last = later.last;
            } else {
                r = keepWriting(s.getOutputStream(), chunk, writes);
            }
            closeQuietly(s);
        } else {
            SocketChannel ch = SocketChannel.open(peer);
            if (api.equals("nonblocking")) {
                ch.configureBlocking(false);
            }
            if (early) {
                System.out.println("CONNECTED before the agent installed");
                AgentReady.await(args[0]);
            }
            Thread.sleep(300);
            r = api.equals("gather") ? keepGathering(ch, chunk, writes) : keepWriting(ch, chunk, writes);
            closeQuietly(ch);
        }
        System.out.println("WROTE writes=" + writes + " failures=" + r.failures + " last=" + r.last);
        Thread.sleep(quietMillis);
        for (String line : sectionLines()) {
            System.out.println("SECTION " + line);
        }
        System.out.println("DONE");
    }

    static final class Result {
        int failures;
        String last = "none";

        void failed(IOException e) {
            failures++;
            last = String.valueOf(e);
        }
    }

    static Result keepWriting(OutputStream out, byte[] chunk, int writes) {
        Result r = new Result();
        for (int i = 0; i < writes; i++) {
            try {
                out.write(chunk);
            } catch (IOException e) {
                r.failed(e);
            }
        }
        return r;
    }

    /** A frame per turn: head, body and tail written at three sites, each failing on every turn. */
    static Result keepWritingFrames(OutputStream out, byte[] chunk, int writes) {
        Result r = new Result();
        for (int i = 0; i < writes; i++) {
            for (int part = 0; part < 3; part++) {
                try {
                    if (part == 0) {
                        writeHead(out, chunk);
                    } else if (part == 1) {
                        writeBody(out, chunk);
                    } else {
                        writeTail(out, chunk);
                    }
                } catch (IOException e) {
                    r.failed(e);
                }
            }
        }
        return r;
    }

    static void writeHead(OutputStream out, byte[] chunk) throws IOException {
        out.write(chunk);
    }

    static void writeBody(OutputStream out, byte[] chunk) throws IOException {
        out.write(chunk);
    }

    static void writeTail(OutputStream out, byte[] chunk) throws IOException {
        out.write(chunk);
    }

    /** The same loop as keepWriting at another site: code that moved on and kept failing there. */
    static Result keepWritingElsewhere(OutputStream out, byte[] chunk, int writes) {
        Result r = new Result();
        for (int i = 0; i < writes; i++) {
            try {
                out.write(chunk);
            } catch (IOException e) {
                r.failed(e);
            }
        }
        return r;
    }

    static Result keepWriting(SocketChannel ch, byte[] chunk, int writes) {
        Result r = new Result();
        for (int i = 0; i < writes; i++) {
            try {
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                r.failed(e);
            }
        }
        return r;
    }

    static Result keepGathering(SocketChannel ch, byte[] chunk, int writes) {
        Result r = new Result();
        int half = chunk.length / 2;
        for (int i = 0; i < writes; i++) {
            try {
                ByteBuffer[] parts = {ByteBuffer.wrap(chunk, 0, half), ByteBuffer.wrap(chunk, half, chunk.length - half)};
                while (parts[1].hasRemaining()) {
                    ch.write(parts, 0, 2);
                }
            } catch (IOException e) {
                r.failed(e);
            }
        }
        return r;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // a socket whose peer is gone may complain on close; the test is about writes
        }
    }

    /** The agent's report sections, read from the boot class path where the agent lives. */
    @SuppressWarnings("unchecked")
    static List<String> sectionLines() {
        try {
            return (List<String>) Class.forName("dev.forensics.report.Sections", true, null).getMethod("render").invoke(null);
        } catch (ReflectiveOperationException e) {
            return List.of("unavailable: " + e);
        }
    }
}
