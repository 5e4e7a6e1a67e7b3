package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.slf4j.LoggerFactory;

/**
 * An application that logs through SLF4J (whatever provider its loader holds) and leaks one HttpURLConnection error
 * body at /error/app, then collects garbage until the journal reports it: {@code LoggingApp <dir>}.
 */
public final class LoggingApp {
    public static void main(String[] args) throws Exception {
        String dir = args[0];
        LoggerFactory.getLogger(LoggingApp.class).info("application started");
        AgentReady.await(dir);
        try (LoopbackServer server = LoopbackServer.start(false, Paths.get(dir).toAbsolutePath().getParent());
             BodyClient client = new UrlConnectionClient(null)) {
            Thread.sleep(1100); // a fresh second for the stack sampling budget, and past the sink's retry pause
            client.leakErrorBody(server.base() + "/error/app?token=" + HttpBodies.SECRET);
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline && !journal(dir).contains("/error/app?")) {
                System.gc();
                Thread.sleep(100);
            }
        }
        Thread.sleep(200); // the log line is written after the journal's
        LoggerFactory.getLogger(LoggingApp.class).info("application done");
        System.out.println("DONE");
    }

    static String journal(String dir) throws Exception {
        Path p = AgentReady.journal(dir);
        return p != null && Files.exists(p) ? Files.readString(p) : "";
    }
}
