package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;

/**
 * {@code UnwatchedClientApp <dir> <async-http-client.jar>}: uses clients the agent tracks (Apache HttpClient 5 classic
 * and async, the JDK client, HttpURLConnection), then loads AsyncHttpClient, which it does not track, from its jar in
 * two class loaders of its own, the way two web applications would, and waits for the journal to name it.
 */
public final class UnwatchedClientApp {
    public static void main(String[] args) throws Exception {
        String dir = args[0];
        AgentReady.await(dir);
        Path work = Paths.get(dir).toAbsolutePath().getParent();
        try (LoopbackServer server = LoopbackServer.start(false, work)) {
            String ok = server.base() + "/ok";
            try (BodyClient apache = new Apache5Client(); BodyClient minimal = new Apache5Client(true);
                 BodyClient jdk = new JdkClient(JdkClient.Mode.SYNC); BodyClient url = new UrlConnectionClient(null);
                 CloseableHttpAsyncClient async = HttpAsyncClients.createDefault()) {
                async.start();
                for (int i = 0; i < 5; i++) {
                    apache.cleanCall(ok, i);
                    minimal.cleanCall(ok, i);
                    jdk.cleanCall(ok, i);
                    url.cleanCall(ok, i);
                    async.execute(SimpleRequestBuilder.get(ok).build(), null).get(30, TimeUnit.SECONDS);
                }
            }
        }
        System.out.println("COVERED USED");
        URL jar = Paths.get(args[1]).toUri().toURL();
        for (String name : new String[] {"ahc-1", "ahc-2"}) {
            URLClassLoader loader = new URLClassLoader(name, new URL[] {jar}, UnwatchedClientApp.class.getClassLoader());
            // Defined, not initialised: its Netty dependencies are not on this class path, and the agent must not need them.
            Class<?> c = Class.forName("org.asynchttpclient.DefaultAsyncHttpClient", false, loader);
            Class.forName("org.asynchttpclient.AsyncHttpClient", false, loader);
            System.out.println("LOADED " + c.getName() + " in " + name);
        }
        HttpBodies.awaitJournal(dir, "is in use; its response bodies are not tracked", 10_000);
        Thread.sleep(1000); // time for a second line, were there one
        System.out.println("DONE");
    }
}
