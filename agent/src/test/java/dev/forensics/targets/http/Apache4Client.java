package dev.forensics.targets.http;

import java.io.InputStream;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;

/** Apache HttpClient 4.5 with a pooled connection manager. */
final class Apache4Client implements BodyClient {
    private final CloseableHttpClient client;

    Apache4Client() {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(200);
        pool.setDefaultMaxPerRoute(100);
        client = HttpClients.custom().setConnectionManager(pool).build();
    }

    @Override
    public void leakErrorBody(String url) throws Exception {
        CloseableHttpResponse r = client.execute(new HttpGet(url));
        if (r.getStatusLine().getStatusCode() >= 400) {
            return; // the bug: "Timeout waiting for connection from pool" a few hundred requests later
        }
        r.close();
    }

    @Override
    public void cleanCall(String url, int variant) throws Exception {
        switch (variant % 5) {
            case 0:
                try (CloseableHttpResponse r = client.execute(new HttpGet(url))) {
                    r.getStatusLine();
                }
                break;
            case 1:
                EntityUtils.consume(client.execute(new HttpGet(url)).getEntity());
                break;
            case 2:
                EntityUtils.toString(client.execute(new HttpGet(url)).getEntity()); // read to the end, not closed
                break;
            case 3:
                client.execute(new HttpGet(url), response -> EntityUtils.toString(response.getEntity()));
                break;
            default:
                try (InputStream in = client.execute(new HttpGet(url)).getEntity().getContent()) {
                    in.read();
                }
        }
    }

    @Override
    public Object open(String url) throws Exception {
        return client.execute(new HttpGet(url));
    }

    @Override
    public void close(Object opened) throws Exception {
        ((CloseableHttpResponse) opened).close();
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
