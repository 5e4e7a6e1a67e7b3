package com.example.wrapperlib;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * A small library wrapping the HTTP client, as Feign or a company's client kit do. The agent test packs this class
 * into a jar of its own, ahead of the test classes on the target's class path: a library frame between the
 * application's line and the client.
 */
public final class Wrapper {
    private final CloseableHttpClient client;

    public Wrapper(CloseableHttpClient client) {
        this.client = client;
    }

    /** Hands the open response to the caller, who must close it. */
    public ClassicHttpResponse fetch(String url) throws Exception {
        return client.executeOpen(null, new HttpGet(url), null);
    }
}
