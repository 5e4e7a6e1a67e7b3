package dev.forensics.instrument;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * HTTP clients whose response bodies the agent does not track, each known by one class that loads when the client is
 * used (an implementation or the entry point, not a class any other library touches). The weaver asks about every
 * class it is shown, by the internal name it already holds: one hash lookup whose hash the hook table's lookup has
 * just cached in that string, so a class definition costs a bucket probe more. A client is named once per JVM.
 *
 * <p>Left out on purpose: clients whose bodies are tracked through their transport (Feign's {@code Client.Default}
 * and Jersey's default connector use {@code HttpURLConnection}; Google's HTTP client uses it or Apache HttpClient;
 * Spring's {@code RestTemplate}, {@code RestClient} and {@code WebClient} over the JDK client or Apache HttpClient 5),
 * and Jetty's and Reactor Netty's clients, instrumented in folders of their own.
 */
public final class UnwatchedClients {
    /** One client: what a person calls it, and its Maven coordinates, where its version is read from. */
    public static final class Client {
        private final String name;
        private final String groupId;
        private final String artifactId;

        Client(String name, String groupId, String artifactId) {
            this.name = name;
            this.groupId = groupId;
            this.artifactId = artifactId;
        }

        public String name() {
            return name;
        }

        public String groupId() {
            return groupId;
        }

        public String artifactId() {
            return artifactId;
        }
    }

    private static final Object[][] TABLE = {
        {"org/asynchttpclient/DefaultAsyncHttpClient", "AsyncHttpClient", "org.asynchttpclient", "async-http-client"},
        {"com/ning/http/client/AsyncHttpClient", "AsyncHttpClient 1 (com.ning)", "com.ning", "async-http-client"},
        {"io/vertx/ext/web/client/WebClient", "Vert.x Web Client", "io.vertx", "vertx-web-client"},
        {
            "org/apache/http/impl/nio/client/InternalHttpAsyncClient",
            "Apache HttpAsyncClient 4",
            "org.apache.httpcomponents",
            "httpasyncclient"
        },
        {
            "io/micronaut/http/client/netty/DefaultHttpClient",
            "Micronaut HTTP client",
            "io.micronaut",
            "micronaut-http-client"
        },
        {"com/linecorp/armeria/client/DefaultWebClient", "Armeria WebClient", "com.linecorp.armeria", "armeria"},
        {"io/helidon/webclient/api/WebClient", "Helidon WebClient", "io.helidon.webclient", "helidon-webclient-api"},
        {"io/ktor/client/engine/cio/CIOEngine", "Ktor CIO client engine", "io.ktor", "ktor-client-cio-jvm"},
        {
            "org/glassfish/jersey/netty/connector/NettyConnector",
            "Jersey Netty connector",
            "org.glassfish.jersey.connectors",
            "jersey-netty-connector"
        },
        {
            "org/glassfish/jersey/grizzly/connector/GrizzlyConnector",
            "Jersey Grizzly connector",
            "org.glassfish.jersey.connectors",
            "jersey-grizzly-connector"
        },
    };

    private final Map<String, Integer> byClass = new HashMap<>();
    private final Client[] clients = new Client[TABLE.length];
    private final AtomicIntegerArray named = new AtomicIntegerArray(TABLE.length);

    public UnwatchedClients() {
        for (int i = 0; i < TABLE.length; i++) {
            byClass.put((String) TABLE[i][0], i);
            clients[i] = new Client((String) TABLE[i][1], (String) TABLE[i][2], (String) TABLE[i][3]);
        }
    }

    /**
     * The client whose class {@code internalName} is, the first time it is seen; null for every other class and for
     * every later sighting of the same client (another class loader, a retransformation).
     */
    public Client firstSighting(String internalName) {
        Integer i = byClass.get(internalName);
        return i == null || !named.compareAndSet(i, 0, 1) ? null : clients[i];
    }

    /** The class each client is known by, in {@code java.lang.Foo} form: for the tests. */
    public static String className(Client c) {
        for (Object[] row : TABLE) {
            if (row[1].equals(c.name())) {
                return ((String) row[0]).replace('/', '.');
            }
        }
        return null;
    }

    /** Every client in the table. */
    public Client[] all() {
        return clients.clone();
    }
}
