package dev.forensics.benchmarks.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The service benchmarks/service-startup.sh starts: {@code /items} serialises a catalogue to JSON, {@code /report}
 * fetches it from this same server through the JDK HttpClient (a call to a neighbour service, as real services
 * make), parses it and digests it. Both do the work of a request; neither keeps state.
 */
@SpringBootApplication
@RestController
public class ServiceApplication {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json;
    private final Environment environment;

    public ServiceApplication(ObjectMapper json, Environment environment) {
        this.json = json;
        this.environment = environment;
    }

    public static void main(String[] args) {
        SpringApplication.run(ServiceApplication.class, args);
    }

    public record Item(int id, String name, long priceCents, List<String> tags) {}

    @GetMapping("/items")
    public List<Item> items(@RequestParam(defaultValue = "50") int count) {
        List<Item> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            items.add(new Item(i, "item-" + i, 100L * i + 99, List.of("t" + i % 7, "t" + i % 11)));
        }
        return items;
    }

    @GetMapping("/report")
    public Map<String, Object> report() throws IOException, InterruptedException, NoSuchAlgorithmException {
        URI uri = URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + "/items?count=50");
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode items = json.readTree(response.body());
        long total = 0;
        for (JsonNode item : items) {
            total += item.get("priceCents").asLong();
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(response.body().getBytes());
        return Map.of("items", items.size(), "totalCents", total, "sha256", HexFormat.of().formatHex(digest));
    }
}
