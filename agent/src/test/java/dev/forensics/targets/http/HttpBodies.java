package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * A target that drives one HTTP client against a loopback server, as an agent test asks:
 * {@code HttpBodies <dir> <client> <scenario> [arg]}.
 * <ul>
 *   <li>{@code leak [n]}: n clean calls (default 1000, ok and error responses, every closing idiom), then one error body
 *       leaked, then garbage collections until the journal reports it.</li>
 *   <li>{@code held <exit|halt|wait>}: a body held past leakHeldAfter and then closed; then 3 bodies open at /live/a and 2
 *       at /live/b, and the JVM ends by System.exit, Runtime.halt, or waits for a signal.</li>
 *   <li>{@code flood [n]}: n leaked error bodies (default 100,000) in a row.</li>
 *   <li>{@code once}: one error body leaked, two seconds of garbage collections, exit.</li>
 *   <li>{@code health [n]}: n bodies from /close held open (sockets the server closed: CLOSE_WAIT), one every 150 ms,
 *       then the Health MBean's figures printed.</li>
 * </ul>
 * Every URL carries {@link #SECRET} in its query, which must never appear in anything the agent writes.
 */
public final class HttpBodies {
    public static final String SECRET = "SECRETVALUE9731";

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        String clientName = args[1];
        String scenario = args[2];
        AgentReady.await(dir);
        Path work = Paths.get(dir).toAbsolutePath().getParent();
        try (LoopbackServer server = LoopbackServer.start(clientName.endsWith("https"), work);
             BodyClient client = client(clientName, server)) {
            String base = server.base();
            switch (scenario) {
                case "leak":
                    // An unsubscribed publisher stays referenced by the client's connection, so the collector never
                    // frees it: that leak is reported as held too long instead.
                    leak(dir, client, base, args.length > 3 ? Integer.parseInt(args[3]) : 1000,
                            clientName.equals("jdk-publisher") ? "open longer than" : "leaked at");
                    break;
                case "held":
                    held(dir, client, base, args.length > 3 ? args[3] : "exit");
                    break;
                case "flood":
                    flood(dir, client, base, args.length > 3 ? Integer.parseInt(args[3]) : 100_000);
                    break;
                case "once":
                    client.leakErrorBody(base + "/error/once?token=" + SECRET);
                    for (int i = 0; i < 20; i++) {
                        System.gc();
                        Thread.sleep(100);
                    }
                    break;
                case "health":
                    health(dir, client, base, args.length > 3 ? Integer.parseInt(args[3]) : 20);
                    break;
                default:
                    throw new IllegalArgumentException(scenario);
            }
        }
        System.out.println("DONE");
    }

    static BodyClient client(String name, LoopbackServer server) throws Exception {
        switch (name) {
            case "jdk":
                return new JdkClient(JdkClient.Mode.SYNC);
            case "jdk-async":
                return new JdkClient(JdkClient.Mode.ASYNC);
            case "jdk-lines":
                return new JdkClient(JdkClient.Mode.LINES);
            case "jdk-publisher":
                return new JdkClient(JdkClient.Mode.PUBLISHER);
            case "jdk-late":
                return new JdkClient(JdkClient.Mode.LATE);
            case "urlconnection":
            case "urlconnection-https":
                return new UrlConnectionClient(server.clientSsl());
            case "apache5":
                return new Apache5Client();
            case "apache5-minimal":
                return new Apache5Client(true);
            case "apache4":
                return new Apache4Client();
            case "okhttp4":
            case "okhttp5":
                return new OkHttpBodyClient();
            case "jetty":
            case "jetty121":
                return new JettyBodyClient();
            default:
                throw new IllegalArgumentException(name);
        }
    }

    static void leak(String dir, BodyClient client, String base, int cleanCalls, String reported) throws Exception {
        for (int i = 0; i < cleanCalls; i++) {
            String path = i % 3 == 2 ? "/error" : i % 50 == 0 ? "/big" : "/ok";
            client.cleanCall(base + path + "?token=" + SECRET + "&i=" + i, i / 3);
        }
        System.out.println("CLEAN " + cleanCalls);
        // A fresh second: the calls above may have spent the default stack budget (0.1% of this second's time), and
        // this test is about naming the leak's line, not about sampling.
        Thread.sleep(1100);
        client.leakErrorBody(base + "/error/chat?token=" + SECRET + "&user=alice");
        System.out.println("LEAKED");
        collectUntilJournalSays(dir, reported, 60_000);
    }

    static void held(String dir, BodyClient client, String base, String end) throws Exception {
        Object body = client.open(base + "/ok/held?token=" + SECRET);
        awaitJournal(dir, "open longer than", 30_000);
        client.close(body);
        awaitJournal(dir, "withdrawn:", 30_000);
        List<Object> live = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            live.add(client.open(base + "/live/a?token=" + SECRET));
        }
        for (int i = 0; i < 2; i++) {
            live.add(client.open(base + "/live/b?token=" + SECRET));
        }
        System.out.println("LIVE " + live.size());
        System.out.flush();
        switch (end) {
            case "halt":
                Runtime.getRuntime().halt(0);
                break;
            case "wait":
                Thread.sleep(120_000);
                break;
            default:
                System.exit(0);
        }
    }

    static void flood(String dir, BodyClient client, String base, int n) throws Exception {
        int failed = 0;
        for (int i = 0; i < n; i++) {
            try {
                client.leakErrorBody(base + "/error/flood?token=" + SECRET);
            } catch (java.io.IOException e) {
                // a loopback connection the server dropped under the flood: no response, no body; try again
                if (++failed > 1000) {
                    throw e;
                }
                i--;
            }
        }
        System.out.println("FLOODED " + n + " (" + failed + " requests retried)");
        collectUntilJournalSays(dir, "leaked at", 60_000);
        Thread.sleep(1500); // one more watcher tick with everything collected
        System.gc();
        Thread.sleep(1500);
    }

    static void health(String dir, BodyClient client, String base, int n) throws Exception {
        List<Object> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(client.open(base + "/close/" + i + "?token=" + SECRET));
            Thread.sleep(150);
        }
        awaitJournal(dir, "grew at each of the last", 30_000);
        // Many health samples have run by now; the agent must not have started JMX itself.
        System.out.println("JMX SERVERS BEFORE=" + MBeanServerFactory.findMBeanServer(null).size());
        // Started the way JConsole, a JMX exporter or the application would; the agent registers at its next sample.
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.forensics:type=Health");
        for (long deadline = System.currentTimeMillis() + 10_000; !server.isRegistered(name) && System.currentTimeMillis() < deadline; ) {
            Thread.sleep(50);
        }
        for (String a : new String[] {"OpenResponseBodies", "CloseWaitSockets", "OpenFileDescriptors", "LiveThreads", "Growing"}) {
            System.out.println("MBEAN " + a + "=" + server.getAttribute(name, a));
        }
        System.out.println("MBEAN dump=" + server.invoke(name, "dumpOpenResponseBodies", null, null).toString().replace('\n', '|'));
        // The test runs forensics.Health at a 200 ms period; stay long enough for several samples of the final count.
        Thread.sleep(1000);
        System.out.println("HELD " + held.size());
    }

    static void collectUntilJournalSays(String dir, String text, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline && !journal(dir).contains(text)) {
            System.gc();
            Thread.sleep(100);
        }
    }

    static void awaitJournal(String dir, String text, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (!journal(dir).contains(text)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("journal never said '" + text + "'");
            }
            Thread.sleep(50);
        }
    }

    static String journal(String dir) throws Exception {
        Path p = dev.forensics.targets.AgentReady.journal(dir);
        return p != null && Files.exists(p) ? Files.readString(p) : "";
    }
}
