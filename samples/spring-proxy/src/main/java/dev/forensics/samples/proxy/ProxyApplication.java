package dev.forensics.samples.proxy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An AI API proxy whose error responses leak, as in the incident where a proxy grew until it crashed because error
 * bodies were never closed. It starts its own upstream on loopback, fetches its config in {@code main} (leaking that
 * error body before Spring starts), then serves {@code /proxy/*} (leaking) and {@code /ok/*} (the correct twins).
 */
@SpringBootApplication
public class ProxyApplication {
    public static void main(String[] args) throws Exception {
        Upstream upstream = Upstream.start();
        System.setProperty("proxy.upstream", upstream.url());
        ConfigFetch.fetchOrDefaults(upstream.url());
        SpringApplication.run(ProxyApplication.class, args);
    }
}
