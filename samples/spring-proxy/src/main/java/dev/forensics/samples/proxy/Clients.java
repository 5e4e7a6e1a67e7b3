package dev.forensics.samples.proxy;

import java.net.http.HttpClient;
import java.time.Duration;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The clients a Spring service wires up: RestTemplate on HttpURLConnection and on Apache 5, RestClient on the JDK's,
 * WebClient on Reactor Netty.
 */
@Configuration
class Clients {
    @Bean
    CloseableHttpClient apache(@Value("${proxy.pool:200}") int pool) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(pool).setMaxConnPerRoute(pool).build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(Timeout.ofSeconds(5)).build())
                .build();
    }

    @Bean
    HttpClient jdk() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Bean
    RestTemplate urlConnectionTemplate(@Value("${proxy.upstream}") String upstream) {
        return template(new SimpleClientHttpRequestFactory(), upstream, true);
    }

    @Bean
    RestTemplate apacheTemplate(@Value("${proxy.upstream}") String upstream, CloseableHttpClient apache) {
        return template(new HttpComponentsClientHttpRequestFactory(apache), upstream, true);
    }

    /** The same client without the faulty retry: Spring closes every response itself. */
    @Bean
    RestTemplate plainTemplate(@Value("${proxy.upstream}") String upstream, CloseableHttpClient apache) {
        return template(new HttpComponentsClientHttpRequestFactory(apache), upstream, false);
    }

    @Bean
    RestClient restClient(@Value("${proxy.upstream}") String upstream, HttpClient jdk) {
        return RestClient.builder().baseUrl(upstream).requestFactory(new JdkClientHttpRequestFactory(jdk))
                .requestInterceptor(new RetryOnceOn5xx()).build();
    }

    /** WebClient on Reactor Netty, as a service that also calls upstreams reactively builds it. */
    @Bean
    WebClient webClient(WebClient.Builder builder, @Value("${proxy.upstream}") String upstream) {
        return builder.baseUrl(upstream).build();
    }

    /** A RestTemplate on the given client, relative to the upstream, with or without the faulty retry. */
    private static RestTemplate template(org.springframework.http.client.ClientHttpRequestFactory factory, String upstream, boolean faultyRetry) {
        RestTemplate t = new RestTemplate(factory);
        t.setUriTemplateHandler(new org.springframework.web.util.DefaultUriBuilderFactory(upstream));
        if (faultyRetry) {
            t.getInterceptors().add(new RetryOnceOn5xx());
        }
        return t;
    }
}
