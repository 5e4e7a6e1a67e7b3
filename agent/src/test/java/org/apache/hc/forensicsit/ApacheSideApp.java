package org.apache.hc.forensicsit;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * Application code that lives under the HTTP client's own package, as the client's test suite does: it is loaded from
 * the test classes directory, not the client's jar, so it is the application's line and must head its leak.
 */
public final class ApacheSideApp {
    private ApacheSideApp() {}

    public static int leak(CloseableHttpClient client, String url) throws Exception {
        ClassicHttpResponse r = client.executeOpen(null, new HttpGet(url), null);
        return r.getCode(); // the bug: never closed
    }
}
