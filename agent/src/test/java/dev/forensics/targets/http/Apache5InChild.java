package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.nio.file.Paths;

/**
 * Runs inside a child class loader that holds Apache HttpClient 5: {@code Apache5InChild <dir> idle|request}. With
 * {@code idle} no class of the client loads (its hooks are ready, not woven); with {@code request} one call is made.
 */
public final class Apache5InChild {
    public static void main(String[] args) throws Exception {
        String dir = args[0];
        AgentReady.await(dir);
        if (args[1].equals("request")) {
            try (LoopbackServer server = LoopbackServer.start(false, Paths.get(dir).toAbsolutePath().getParent());
                 BodyClient client = new Apache5Client()) {
                client.cleanCall(server.base() + "/ok", 0);
            }
        }
        Thread.sleep(300);
        System.out.println("DONE");
    }
}
