package dev.forensics.samples.proxy;

import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The proxy's retry: on a 5xx it peeks at the error message and tries once more — and drops the first response
 * without closing it. Every client behind RestTemplate or RestClient then keeps that body and its connection.
 */
final class RetryOnceOn5xx implements ClientHttpRequestInterceptor {
    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
        ClientHttpResponse first = execution.execute(request, body);
        if (first.getStatusCode().is5xxServerError()) {
            InputStream in = first.getBody();
            in.readNBytes(64); // what the upstream said, for a debug line
            return execution.execute(request, body); // BUG: `first` is never closed
        }
        return first;
    }
}
