package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import dev.forensics.testing.LoopbackPeer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * A service that runs into every incident the agent reports, in two acts a test can put a recording between:
 * {@code IncidentScenario <dir> <signal|exit> <go-file>}. Before the go file exists it keeps two response bodies
 * open and breaks its stdout (run it piped into {@code head -n 1}); then writes {@code early-done} into the work
 * directory and waits. Once the go file exists: a body held past leakHeldAfter and then closed, an error body leaked
 * and collected, a broken-pipe loop to a loopback peer that closed, and {@code late-done}; then it either waits for a
 * signal or calls System.exit(3). Its shutdown hook is "app-cleanup". Stdout is broken by then: it speaks through
 * files and the agent's journal.
 */
public final class IncidentScenario {
    public static void main(String[] args) throws Exception {
        String dir = args[0];
        String end = args[1];
        Path go = Paths.get(args[2]);
        Path work = Paths.get(dir).toAbsolutePath().getParent();
        // A quick hook, as most are: JFR's own hook dumps the recording concurrently, and a slow hook ends after it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Thread.yield(), "app-cleanup"));
        AgentReady.await(dir);
        try (LoopbackServer server = LoopbackServer.start(false, work); LoopbackPeer peer = new LoopbackPeer(LoopbackPeer.Mode.CLOSE)) {
            UrlConnectionClient client = new UrlConnectionClient(null);
            String base = server.base();

            List<Object> early = new ArrayList<>();
            early.add(client.open(base + "/live/early"));
            early.add(client.open(base + "/live/early"));
            breakStdout();
            HttpBodies.awaitJournal(dir, "stdout (fd 1) is broken since", 30_000);
            Files.writeString(work.resolve("early-done"), "2 bodies open, stdout broken\n");
            for (long deadline = System.currentTimeMillis() + 120_000; !Files.exists(go); ) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no go file " + go);
                }
                Thread.sleep(20);
            }

            Object held = client.open(base + "/ok/held");
            awaitJournalLine(dir, "open longer than", "/ok/held");
            client.close(held);
            awaitJournalLine(dir, "withdrawn:", "/ok/held");
            client.leakErrorBody(base + "/error/late");
            HttpBodies.collectUntilJournalSays(dir, "leaked at", 60_000);
            keepWritingToAPeerThatClosed(peer.port());
            HttpBodies.awaitJournal(dir, "broken-pipe loop at", 30_000);
            HttpBodies.awaitJournal(dir, " ended: ", 30_000);
            Thread.sleep(600); // a few periods of the health and open-body events the test runs at 200 ms
            Files.writeString(work.resolve("late-done"), early.size() + " bodies still open\n");
            if (end.equals("exit")) {
                System.exit(3);
            }
            Thread.sleep(120_000);
        }
    }

    /** The bodies opened before are reported as held too: wait for the line about this one. */
    private static void awaitJournalLine(String dir, String what, String url) throws Exception {
        for (long deadline = System.currentTimeMillis() + 30_000; ; Thread.sleep(50)) {
            if (HttpBodies.journal(dir).lines().anyMatch(l -> l.contains(what) && l.contains(url))) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("journal never said '" + what + "' about " + url);
            }
        }
    }

    /** The reader ({@code head -n 1}) exits after the first line; the next writes fail with EPIPE. */
    private static void breakStdout() throws InterruptedException {
        System.out.println("line 0");
        System.out.flush();
        for (int i = 1; i < 500 && !System.out.checkError(); i++) {
            Thread.sleep(20);
            System.out.println("line " + i);
        }
    }

    private static void keepWritingToAPeerThatClosed(int port) throws Exception {
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
            Thread.sleep(300); // the peer is gone by now
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[1024];
            for (int i = 0; i < 300; i++) {
                try {
                    out.write(chunk);
                } catch (IOException e) {
                    // the sloppy writer: log-and-continue
                }
            }
        } catch (IOException e) {
            // closing a socket whose peer is gone may complain
        }
    }
}
