package dev.forensics.pipe;

import dev.forensics.bootstrap.PipeHooks;
import dev.forensics.report.Clock;
import dev.forensics.report.Finding;
import dev.forensics.report.Jfr;
import dev.forensics.report.Reporter;
import dev.forensics.report.Text;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;

/**
 * Turns failed writes into findings: counts each at its (peer, site), reports a loop once when it is judged one
 * (journal, the application's log and a JFR event whose stack is the writing code), leaves progress to
 * {@link LoopWatch}, and hands stdout/stderr failures to {@link StdStreams}. Runs on the failing thread.
 */
final class PipeRecorder implements PipeHooks.Listener {
    private static final String[] LAYERS = {"socket", "channel", "tls"};

    final WriteFailures failures;
    final StdStreams std;
    private final LoopWatch watch;
    private final WriteRuns runs;
    /** Failed writes by {@link FailureKind}, since start. */
    final java.util.concurrent.atomic.AtomicLongArray failed =
            new java.util.concurrent.atomic.AtomicLongArray(FailureKind.values().length);

    PipeRecorder(WriteFailures failures, StdStreams std, LoopWatch watch) {
        this.failures = failures;
        this.std = std;
        this.watch = watch;
        this.runs = new WriteRuns(failures.windowNanos);
    }

    /**
     * The failure path, paid once per failed write: the site comes from this thread's run to the peer (a stack walk
     * only on a run's first failures and on a sample after, see {@link WriteRuns}), the count goes to the entry the
     * run keeps, so a loop's failures format no string, look nothing up and take no lock but their entry's. The peer
     * is formatted when an entry is looked up: a run's first failure, and each change of site.
     */
    @Override
    public void socketWriteFailed(int layer, Throwable error, Object peer, int port, long bytes) {
        FailureKind kind = FailureKind.of(error);
        if (kind == null) {
            return;
        }
        long now = System.nanoTime();
        Object peerKey = peer;
        int peerPort = port;
        if (peer instanceof Socket) { // TLS: keep the address, not the socket
            Socket s = (Socket) peer;
            peerKey = s.getInetAddress();
            peerPort = peerKey == null ? -1 : s.getPort();
        }
        WriteRuns.Run run = runs.find(layer, peerKey, peerPort, now);
        if (run == null) {
            run = runs.start(layer, peerKey, peerPort, WriteSite.find(), now);
        } else if (run.walkDue()) {
            run.walked(WriteSite.find());
        }
        run.lastNanos = now;
        WriteSite.Site site = run.site();
        if (layer == PipeHooks.SOCKET && site.underTls()) {
            // The TLS write the application called counts it; TLS's own handshake and close writes are not the
            // application's.
            return;
        }
        failed.incrementAndGet(kind.ordinal()); // for the meters: every counted failure, even one the full table drops
        long nowMillis = System.currentTimeMillis();
        WriteFailures.Entry entry = run.entry();
        if (entry == null || entry.evicted) {
            entry = failures.entry(LAYERS[layer], peer(peerKey, peerPort), site.frame(), now, nowMillis);
            if (entry == null) {
                return; // the table is full of busy sites; counted as dropped
            }
            run.entry(entry);
        }
        WriteFailures.Loop loop = failures.record(entry, kind, FailureKind.message(error), bytes, now, nowMillis);
        if (loop != null) {
            detected(loop, now);
        }
    }

    @Override
    public void stdStreamWriteFailed(boolean stderr, Throwable error) {
        std.writeFailed(stderr, error);
    }

    private void detected(WriteFailures.Loop loop, long now) {
        loop.stack = WriteSite.stack();
        WriteFailures.Loop seen = loop.copy(); // other threads may be counting into it already
        watch.start();
        if (Jfr.AVAILABLE) {
            PipeEvents.loopDetected(seen, failures.windowNanos / 1_000_000, now);
        }
        Reporter.report(fields(Finding.warn("pipe", "pipe-loop:" + seen.entry.key, detectedMessage(seen, now)), seen));
    }

    /** The loop's facts as fields: where the writes fail, to whom, how often and how. */
    static Finding fields(Finding f, WriteFailures.Loop l) {
        return f.with("site", l.entry.site)
                .with("peer", l.entry.peer)
                .with("layer", l.entry.layer)
                .with("count", l.failures)
                .with("bytes", l.bytes)
                .with("error", l.lastMessage)
                .with("failure", l.mainKind().label);
    }

    static String detectedMessage(WriteFailures.Loop l, long now) {
        StringBuilder sb = new StringBuilder();
        sb.append("broken-pipe loop at ")
                .append(l.entry.site)
                .append(": writing to ")
                .append(l.entry.peer)
                .append(" failed ")
                .append(l.failures)
                .append(" times in ")
                .append(duration(now - l.startNanos))
                .append(" (")
                .append(rate(l.rate(now)))
                .append("), last \"")
                .append(l.lastMessage)
                .append("\" (")
                .append(l.mainKind().label)
                .append(", ")
                .append(l.entry.layer)
                .append(" write)")
                .append(
                        "; the peer is gone and the code keeps writing. Progress goes to the journal, totals when it stops.");
        List<String> stack = l.stack;
        for (String frame : stack) {
            sb.append("\n    at ").append(frame);
        }
        return sb.toString();
    }

    static String updateMessage(WriteFailures.Progress p) {
        WriteFailures.Loop l = p.loop();
        return "broken-pipe loop at " + l.entry.site + " to " + l.entry.peer + " continues: +" + p.newFailures()
                + " failed writes in the last " + duration(p.sinceNanos()) + " ("
                + rate(p.newFailures() * 1e9 / Math.max(p.sinceNanos(), 1))
                + "), " + l.failures + " since " + Clock.timeOfDay(l.startMillis);
    }

    static String endedMessage(WriteFailures.Loop l) {
        return "broken-pipe loop at " + l.entry.site + " to " + l.entry.peer
                + (l.endedAtExit ? " still running when the JVM ended: " : " ended: ")
                + l.failures + " failed writes over " + duration(l.lastNanos - l.startNanos) + " ("
                + rate(l.rate(l.lastNanos)) + ") from "
                + Clock.timeOfDay(l.startMillis) + " to " + Clock.timeOfDay(l.lastMillis)
                + " (" + l.kindSummary() + "), " + l.bytes + " bytes attempted, last \"" + l.lastMessage + "\"";
    }

    /**
     * {@code 127.0.0.1:8080}, {@code [::1]:8080}: the address literal only. {@code InetAddress.toString()} gains a
     * host name once anything calls {@code getHostName()} (JFR's own socket events do), which would split one peer in
     * two; and a name lookup here would be a DNS query on the failure path.
     */
    static String peer(Object peer, int port) {
        try {
            if (peer instanceof InetAddress) {
                return literal((InetAddress) peer, port);
            }
            if (peer instanceof Socket) {
                Socket s = (Socket) peer;
                return s.getInetAddress() == null ? "unconnected socket" : literal(s.getInetAddress(), s.getPort());
            }
            if (peer instanceof InetSocketAddress) {
                InetSocketAddress a = (InetSocketAddress) peer;
                return a.getAddress() == null
                        ? a.getHostString() + ":" + a.getPort()
                        : literal(a.getAddress(), a.getPort());
            }
            if (peer instanceof SocketAddress) {
                return peer.toString(); // a UNIX domain socket path
            }
        } catch (RuntimeException e) {
            // fall through: an address we cannot print is still a peer
        }
        return peer == null ? "unconnected socket" : "unknown peer";
    }

    private static String literal(InetAddress a, int port) {
        String host = a.getHostAddress();
        return (a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    static String duration(long nanos) {
        long ms = nanos / 1_000_000;
        if (ms < 10_000) {
            return ms + " ms";
        }
        if (ms < 600_000) {
            return Text.oneDecimal(ms / 1000.0) + " s";
        }
        return Text.oneDecimal(ms / 60_000.0) + " min";
    }

    static String rate(double perSecond) {
        return perSecond >= 10 ? Math.round(perSecond) + "/s" : Text.oneDecimal(perSecond) + "/s";
    }
}
