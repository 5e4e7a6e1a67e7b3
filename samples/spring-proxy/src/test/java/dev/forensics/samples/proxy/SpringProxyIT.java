package dev.forensics.samples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Spring Boot proxy as users run it: {@code java -jar spring-proxy.jar} (nested jars in BOOT-INF/lib, Spring
 * Boot's launched class loader) with the agent, Logback writing the application's own log file. Every leaking
 * endpoint must be named at its application line in that file, at ERROR for GC-confirmed leaks; the correct twins
 * must stay silent; no secret may appear anywhere; a SIGTERM's sender and Spring's shutdown hook must be in the last
 * words.
 */
class SpringProxyIT {
    static final Path JAR = Paths.get(System.getProperty("proxy.jar", "target/spring-proxy.jar")).toAbsolutePath();
    static final String[] SECRETS = {"sk-live-123", "s3cr3t-config-token"};
    static final int LEAKS_PER_SITE = 12;

    /**
     * The sites whose bodies become unreachable (the JDK HttpClient's stay reachable from their connection: held too
     * long), each at the application's line.
     */
    static final List<java.util.function.Predicate<String>> LEAK_SITES = List.of(
            l -> l.contains("leaked at dev.forensics.samples.proxy.ConfigFetch.fetchOrDefaults(ConfigFetch.java:") && l.contains("(HttpURLConnection"),
            l -> l.contains("leaked at dev.forensics.samples.proxy.RetryOnceOn5xx.intercept(RetryOnceOn5xx.java:") && l.contains("(HttpURLConnection"),
            l -> l.contains("leaked at dev.forensics.samples.proxy.RetryOnceOn5xx.intercept(RetryOnceOn5xx.java:") && l.contains("(Apache HttpClient 5"),
            l -> l.contains("leaked at dev.forensics.samples.proxy.ProxyController.viaApache(ProxyController.java:"),
            l -> l.contains("leaked at dev.forensics.samples.proxy.ProxyController.viaUrlConnection(ProxyController.java:"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theServiceLogNamesEveryLeakAtItsApplicationLine(Jdk jdk) throws Exception {
        int port = freePort();
        Path wd = Files.createTempDirectory("forensics-spring-");
        Path log = wd.resolve("app.log");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(wd).agentOptions("leakHeldAfter=3s").env("PORT", Integer.toString(port))
                .startJar(JAR, "--logging.file.name=" + log)) {
            jvm.await(() -> read(log).contains("Started ProxyApplication"), "Spring started", Duration.ofSeconds(90));
            String base = "http://127.0.0.1:" + port;
            // The agent's meters in the service's own Prometheus scrape, before anything leaked but the config fetch in main.
            String scrape = scrape(base);
            assertThat(sum(scrape, "forensics_agent_hooks_active")).as(scrape).isPositive();
            assertThat(sum(scrape, "forensics_jvm_threads_live")).as(scrape).isPositive();
            assertThat(scrape).as(scrape).contains("# TYPE forensics_response_bodies_held_too_long_total counter");
            double leakedBefore = sum(scrape, "forensics_response_bodies_leaked_total");
            double openJdkBefore = sum(scrape, "forensics_response_bodies_open", "client=\"JDK HttpClient\"");

            for (String twin : List.of("resttemplate", "jdk-try-with-resources", "jdk-read-to-eof", "apache5-consume", "apache5-handler",
                    "urlconnection-disconnect", "webclient")) {
                for (int i = 0; i < LEAKS_PER_SITE; i++) {
                    get(base + "/ok/" + twin + "/overloaded", 502);
                    get(base + "/ok/" + twin + "/ok", 200);
                }
            }
            for (String leaky : List.of("resttemplate-urlconnection", "resttemplate-apache5", "restclient-jdk", "jdk", "apache5", "urlconnection", "webclient")) {
                get(base + "/proxy/" + leaky + "/ok", 200);
                for (int i = 0; i < LEAKS_PER_SITE; i++) {
                    get(base + "/proxy/" + leaky + "/overloaded", 502);
                }
            }
            gc(jdk, jvm);
            // ConfigFetch leaks in main before Spring configured its log: found before that, it goes to stderr.
            jvm.await(() -> LEAK_SITES.stream().allMatch(site -> errorLines(log, jvm).stream().anyMatch(site)),
                    "the five leaking sites at ERROR in the app's log", Duration.ofSeconds(30));
            jvm.await(() -> read(log).contains("open longer than 3s at dev.forensics.samples.proxy.ProxyController.viaJdk"),
                    "the JDK HttpClient bodies held too long", Duration.ofSeconds(30));
            // WebClient over Reactor Netty: the connection goes back once the small error body has arrived, unread; the
            // body's buffers stay with the response: GC-confirmed once dropped, or held if it is still referenced.
            jvm.await(() -> read(log).lines().anyMatch(l -> (l.contains(" ERROR ") && l.contains("leaked at dev.forensics.samples.proxy.ProxyController.viaWebClient(ProxyController.java:")
                            || l.contains(" WARN ") && l.contains("open longer than 3s at dev.forensics.samples.proxy.ProxyController.viaWebClient(ProxyController.java:"))
                            && l.contains("Spring WebClient")),
                    "the WebClient bodies never released, at the application's line", Duration.ofSeconds(30));

            // The same leaks, as an operator's dashboard sees them: open bodies rose (the JDK HttpClient's stay open), the
            // leaked counter moved by at least the four GC-confirmed sites' bodies, tagged by client and status class.
            jvm.await(() -> sum(scrape(base), "forensics_response_bodies_leaked_total") >= leakedBefore + 4 * LEAKS_PER_SITE,
                    "forensics_response_bodies_leaked_total moved in /actuator/prometheus", Duration.ofSeconds(30));
            String after = scrape(base);
            String ours = after.lines().filter(l -> l.contains("forensics_")).collect(Collectors.joining("\n"));
            assertThat(sum(after, "forensics_response_bodies_open", "client=\"JDK HttpClient\"")).as(after)
                    .isGreaterThanOrEqualTo(openJdkBefore + 2 * LEAKS_PER_SITE);
            assertThat(ours).as("leaks by client and status class, never by URL (Spring's own http_client_requests have the URI)")
                    .containsPattern("forensics_response_bodies_leaked_total\\{[^}]*client=\"Apache HttpClient 5[^\"]*\",status=\"[2-5]xx\"[^}]*\\} [1-9]")
                    .containsPattern("forensics_response_bodies_leaked_total\\{[^}]*client=\"HttpURLConnection\",status=\"[2-5]xx\"[^}]*\\} [1-9]")
                    .contains("client=\"Spring WebClient 6 on Reactor Netty 1\"") // major versions only: no new series per patch release
                    .doesNotContain("/v1/chat").doesNotContain("sk-live-123");
            assertThat(sum(after, "forensics_response_bodies_held_too_long_total")).as(after).isPositive();
            assertThat(jvm.journal()).contains("meters bound to Micrometer's global registry (Micrometer 1.");

            String text = read(log);
            List<String> errors = errorLines(log, jvm);
            for (java.util.function.Predicate<String> site : LEAK_SITES) {
                assertThat(errors).as("the app's log:\n" + text).anyMatch(site);
            }
            assertThat(text).as("JDK HttpClient bodies stay reachable from their connection: held too long, at the app's line")
                    .containsPattern("WARN .*forensics .*open longer than 3s at dev\\.forensics\\.samples\\.proxy\\.RetryOnceOn5xx\\.intercept\\(RetryOnceOn5xx\\.java:\\d+\\) — GET .*\\(JDK HttpClient")
                    .containsPattern("WARN .*forensics .*open longer than 3s at dev\\.forensics\\.samples\\.proxy\\.ProxyController\\.viaJdk\\(ProxyController\\.java:\\d+\\)");
            assertThat(text).as("the headline is the application's line, never Spring's or an unsampled one")
                    .doesNotContain("leaked at org.springframework").doesNotContain("than 3s at org.springframework")
                    .doesNotContain("an unsampled call site");
            assertThat(text).as("the correct twins").doesNotContain("ProxyController.ok");
            assertThat(jvm.stderr().lines().filter(l -> l.contains("[forensics] ")))
                    .as("findings go to the app's log, not stderr, once Spring's logging is up").allMatch(l -> l.contains("ConfigFetch.fetchOrDefaults"));

            // A site that keeps leaking: the log keeps telling how many so far.
            for (int i = 0; i < LEAKS_PER_SITE; i++) {
                get(base + "/proxy/apache5/overloaded", 502);
            }
            gc(jdk, jvm);
            // At most one line a minute per site: the running total comes within a minute of the site's first line.
            jvm.await(() -> java.util.regex.Pattern.compile("ERROR .*forensics .*leaked at dev\\.forensics\\.samples\\.proxy\\.ProxyController\\.viaApache"
                            + "\\(ProxyController\\.java:\\d+\\) \\(total " + 2 * LEAKS_PER_SITE + " since ").matcher(read(log)).find(),
                    "a running total for viaApache in the app's log", Duration.ofSeconds(100));

            // A deploy script that waits for the service to go, as they do: a sender that exits at once is named by pid only.
            Process deploy = new ProcessBuilder(LastWordsFiles.stopScript(jvm, "TERM", "deploy.sh").toString()).redirectErrorStream(true).start();
            int status = 143;
            if (!jdk.name().equals("17")) {
                // Since JDK 21 the JDK HttpClient is AutoCloseable and Spring closes the bean at shutdown; close() waits
                // for every exchange, and the leaked bodies' never end. The hook hangs until the supervisor's SIGKILL,
                // and the last words name it where it waits.
                jvm.await(() -> lastWordsSoFar(jvm).contains("still running after") && lastWordsSoFar(jvm).contains("HttpClient.close")
                                && lastWordsSoFar(jvm).contains("why: hook \"SpringApplicationShutdownHook\" (org.springframework.boot.SpringApplicationShutdownHook)"
                                        + " waits in java.net.http.HttpClient.close()"),
                        "the hook stuck in HttpClient.close named and explained in the last words", Duration.ofSeconds(30));
                jvm.signal("KILL");
                status = 137;
            }
            assertThat(jvm.waitFor(Duration.ofSeconds(60))).isEqualTo(status);
            deploy.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            String words = LastWordsFiles.text(jvm);
            assertThat(LastWordsFiles.firstLine(words)).startsWith("SIGTERM from pid ").contains("deploy.sh");
            assertThat(words).as("Spring's shutdown hook in the shutdown section").contains("SpringApplicationShutdownHook");

            for (String secret : SECRETS) {
                assertThat(read(log)).doesNotContain(secret);
                assertThat(jvm.journal()).doesNotContain(secret);
                assertThat(jvm.stderr()).doesNotContain(secret);
                assertThat(words).doesNotContain(secret);
            }
        }
    }

    /** Leak lines at ERROR in the app's log, and those the agent sent to stderr before the app's logging existed. */
    private static List<String> errorLines(Path log, ForkedJvm jvm) {
        List<String> lines = read(log).lines().filter(l -> l.contains(" ERROR ") && l.contains("forensics") && l.contains(" leaked at "))
                .collect(Collectors.toList());
        jvm.stderr().lines().filter(l -> l.startsWith("[forensics] ") && l.contains(" leaked at ")).forEach(lines::add);
        return lines;
    }

    private static String lastWordsSoFar(ForkedJvm jvm) {
        try {
            return LastWordsFiles.text(jvm);
        } catch (RuntimeException | AssertionError e) {
            return "";
        }
    }

    private String scrape(String base) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("/actuator/prometheus").isEqualTo(200);
            return r.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sum of the samples of metric {@code name} whose labels hold every one of {@code labels} ({@code client="…"}). */
    static double sum(String scrape, String name, String... labels) {
        return scrape.lines().filter(l -> !l.startsWith("#"))
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(label -> l.substring(0, l.lastIndexOf(' ')).contains(label)))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private void get(String url, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(expected);
    }

    private static void gc(Jdk jdk, ForkedJvm jvm) {
        ForkedJvm.run(jdk.home().resolve("bin/jcmd").toString(), Long.toString(jvm.pid()), "GC.run");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
