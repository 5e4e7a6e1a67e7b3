package dev.forensics.samples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * {@code /proxy/<client>/<outcome>} relays to the upstream's {@code /v1/chat/<outcome>} ({@code ok} or
 * {@code overloaded}) and leaks the error body; {@code /ok/<client>/<outcome>} does the same call correctly.
 */
@RestController
class ProxyController {
    private final RestTemplate urlConnectionTemplate;
    private final RestTemplate apacheTemplate;
    private final RestTemplate plainTemplate;
    private final RestClient restClient;
    private final HttpClient jdk;
    private final CloseableHttpClient apache;
    private final WebClient webClient;
    private final String upstream;

    ProxyController(@Qualifier("urlConnectionTemplate") RestTemplate urlConnectionTemplate,
                    @Qualifier("apacheTemplate") RestTemplate apacheTemplate,
                    @Qualifier("plainTemplate") RestTemplate plainTemplate, RestClient restClient, HttpClient jdk,
                    CloseableHttpClient apache, WebClient webClient, @Value("${proxy.upstream}") String upstream) {
        this.urlConnectionTemplate = urlConnectionTemplate;
        this.apacheTemplate = apacheTemplate;
        this.plainTemplate = plainTemplate;
        this.restClient = restClient;
        this.jdk = jdk;
        this.apache = apache;
        this.webClient = webClient;
        this.upstream = upstream;
    }

    // ---- leaking: through the frameworks (the faulty retry interceptor) ----

    @GetMapping("/proxy/resttemplate-urlconnection/{outcome}")
    ResponseEntity<String> viaUrlConnectionTemplate(@PathVariable("outcome") String outcome) {
        return relay(() -> urlConnectionTemplate.getForObject("/v1/chat/{o}?key=sk-live-123", String.class, outcome));
    }

    @GetMapping("/proxy/resttemplate-apache5/{outcome}")
    ResponseEntity<String> viaApacheTemplate(@PathVariable("outcome") String outcome) {
        return relay(() -> apacheTemplate.getForObject("/v1/chat/{o}?key=sk-live-123", String.class, outcome));
    }

    @GetMapping("/proxy/restclient-jdk/{outcome}")
    ResponseEntity<String> viaRestClient(@PathVariable("outcome") String outcome) {
        return relay(() -> restClient.get().uri("/v1/chat/{o}?key=sk-live-123", outcome).retrieve().body(String.class));
    }

    // ---- leaking: the raw clients, error path forgotten ----

    @GetMapping("/proxy/jdk/{outcome}")
    ResponseEntity<String> viaJdk(@PathVariable("outcome") String outcome) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = jdk.send(chat(outcome), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() >= 500) {
            return ResponseEntity.status(502).body("upstream failed\n"); // BUG: r.body() is never closed
        }
        try (InputStream in = r.body()) {
            return ResponseEntity.ok(new String(in.readAllBytes()));
        }
    }

    @GetMapping("/proxy/apache5/{outcome}")
    ResponseEntity<String> viaApache(@PathVariable("outcome") String outcome) throws IOException {
        ClassicHttpResponse r = apache.executeOpen(null, new HttpGet(chatUrl(outcome)), null);
        if (r.getCode() >= 500) {
            return ResponseEntity.status(502).body("upstream failed\n"); // BUG: r is never closed
        }
        try (r) {
            return ResponseEntity.ok(EntityUtils.toString(r.getEntity()));
        } catch (org.apache.hc.core5.http.ParseException e) {
            return ResponseEntity.status(502).body("bad upstream answer\n");
        }
    }

    @GetMapping("/proxy/urlconnection/{outcome}")
    ResponseEntity<String> viaUrlConnection(@PathVariable("outcome") String outcome) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(chatUrl(outcome)).toURL().openConnection();
        if (c.getResponseCode() >= 500) {
            c.getErrorStream().readNBytes(64); // BUG: the error stream is never closed
            return ResponseEntity.status(502).body("upstream failed\n");
        }
        try (InputStream in = c.getInputStream()) {
            return ResponseEntity.ok(new String(in.readAllBytes()));
        }
    }

    /** The deprecated exchange() hands the caller a response whose body only the caller can release. */
    @SuppressWarnings("deprecation")
    @GetMapping("/proxy/webclient/{outcome}")
    ResponseEntity<String> viaWebClient(@PathVariable("outcome") String outcome) {
        ClientResponse r = webClient.get().uri("/v1/chat/{o}?key=sk-live-123", outcome).exchange().block();
        if (r.statusCode().is5xxServerError()) {
            return ResponseEntity.status(502).body("upstream failed\n"); // BUG: r's body is never consumed or released
        }
        return ResponseEntity.ok(r.bodyToMono(String.class).block());
    }

    // ---- the correct twins: same calls, every body closed ----

    @GetMapping("/ok/webclient/{outcome}")
    ResponseEntity<String> okWebClient(@PathVariable("outcome") String outcome) {
        return webClient.get().uri("/v1/chat/{o}", outcome).exchangeToMono(r -> r.statusCode().is5xxServerError()
                ? r.releaseBody().thenReturn(ResponseEntity.status(502).body("upstream failed\n"))
                : r.bodyToMono(String.class).map(ResponseEntity::ok)).block();
    }

    @GetMapping("/ok/resttemplate/{outcome}")
    ResponseEntity<String> okTemplate(@PathVariable("outcome") String outcome) {
        return relay(() -> plainTemplate.getForObject("/v1/chat/{o}", String.class, outcome));
    }

    @GetMapping("/ok/jdk-try-with-resources/{outcome}")
    ResponseEntity<String> okJdk(@PathVariable("outcome") String outcome) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = jdk.send(chat(outcome), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            return r.statusCode() >= 500 ? ResponseEntity.status(502).body("upstream failed\n") : ResponseEntity.ok(new String(in.readAllBytes()));
        }
    }

    @GetMapping("/ok/jdk-read-to-eof/{outcome}")
    ResponseEntity<String> okJdkEof(@PathVariable("outcome") String outcome) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = jdk.send(chat(outcome), HttpResponse.BodyHandlers.ofInputStream());
        byte[] all = r.body().readAllBytes(); // end of stream releases the connection
        return r.statusCode() >= 500 ? ResponseEntity.status(502).body("upstream failed\n") : ResponseEntity.ok(new String(all));
    }

    @GetMapping("/ok/apache5-consume/{outcome}")
    ResponseEntity<String> okApacheConsume(@PathVariable("outcome") String outcome) throws IOException {
        ClassicHttpResponse r = apache.executeOpen(null, new HttpGet(chatUrl(outcome)), null);
        if (r.getCode() >= 500) {
            EntityUtils.consume(r.getEntity());
            return ResponseEntity.status(502).body("upstream failed\n");
        }
        try (r) {
            return ResponseEntity.ok(EntityUtils.toString(r.getEntity()));
        } catch (org.apache.hc.core5.http.ParseException e) {
            return ResponseEntity.status(502).body("bad upstream answer\n");
        }
    }

    @GetMapping("/ok/apache5-handler/{outcome}")
    ResponseEntity<String> okApacheHandler(@PathVariable("outcome") String outcome) throws IOException {
        return apache.execute(new HttpGet(chatUrl(outcome)), r -> r.getCode() >= 500
                ? ResponseEntity.status(502).body("upstream failed\n")
                : ResponseEntity.ok(EntityUtils.toString(r.getEntity())));
    }

    @GetMapping("/ok/urlconnection-disconnect/{outcome}")
    ResponseEntity<String> okUrlConnection(@PathVariable("outcome") String outcome) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(chatUrl(outcome)).toURL().openConnection();
        try {
            if (c.getResponseCode() >= 500) {
                c.getErrorStream().readNBytes(64);
                return ResponseEntity.status(502).body("upstream failed\n");
            }
            return ResponseEntity.ok(new String(c.getInputStream().readAllBytes()));
        } finally {
            c.disconnect();
        }
    }

    private HttpRequest chat(String outcome) {
        return HttpRequest.newBuilder(URI.create(chatUrl(outcome))).GET().build();
    }

    private String chatUrl(String outcome) {
        return upstream + "/v1/chat/" + ("ok".equals(outcome) ? "ok" : "overloaded") + "?key=sk-live-123";
    }

    private interface Call {
        String run();
    }

    private static ResponseEntity<String> relay(Call call) {
        try {
            String answer = call.run();
            return ResponseEntity.ok(answer == null ? "" : answer.substring(0, Math.min(40, answer.length())) + "\n");
        } catch (RestClientResponseException e) {
            return ResponseEntity.status(502).body("upstream failed: " + e.getStatusCode().value() + "\n");
        }
    }
}
