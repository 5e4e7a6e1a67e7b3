package dev.forensics.targets.http;

import java.io.InputStream;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * Apache HttpClient 5 classic with a pooled connection manager: the default set-up ({@code HttpClients.custom()}), or
 * the minimal client ({@code HttpClients.createMinimal}), which has no execution chain of its own.
 */
final class Apache5Client implements BodyClient {
    private final CloseableHttpClient client;
    private final boolean minimal;

    Apache5Client() {
        this(false);
    }

    Apache5Client(boolean minimal) {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(200);
        pool.setDefaultMaxPerRoute(100);
        this.minimal = minimal;
        client = minimal ? HttpClients.createMinimal(pool) : HttpClients.custom().setConnectionManager(pool).build();
    }

    /** The minimal client insists on a target host; the default one finds it in the request. */
    private HttpHost host(String url) throws Exception {
        return minimal ? RoutingSupport.determineHost(new HttpGet(url)) : null;
    }

    @Override
    public void leakErrorBody(String url) throws Exception {
        ClassicHttpResponse r = client.executeOpen(host(url), new HttpGet(url), null);
        if (r.getCode() >= 400) {
            return; // the bug: the response is never closed, its connection never goes back to the pool
        }
        r.close();
    }

    @Override
    public void cleanCall(String url, int variant) throws Exception {
        switch (variant % 5) {
            case 0:
                try (ClassicHttpResponse r = client.executeOpen(host(url), new HttpGet(url), null)) {
                    r.getCode();
                }
                break;
            case 1:
                EntityUtils.consume(client.executeOpen(host(url), new HttpGet(url), null).getEntity());
                break;
            case 2:
                EntityUtils.toString(client.executeOpen(host(url), new HttpGet(url), null).getEntity()); // read to the end, not closed
                break;
            case 3:
                client.execute(new HttpGet(url), response -> EntityUtils.toString(response.getEntity()));
                break;
            default:
                try (InputStream in = client.executeOpen(host(url), new HttpGet(url), null).getEntity().getContent()) {
                    in.read();
                }
        }
    }

    @Override
    public Object open(String url) throws Exception {
        return client.executeOpen(host(url), new HttpGet(url), null);
    }

    @Override
    public void close(Object opened) throws Exception {
        ((ClassicHttpResponse) opened).close();
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
