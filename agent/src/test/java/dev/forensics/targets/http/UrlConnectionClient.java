package dev.forensics.targets.http;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/** HttpURLConnection over HTTP or HTTPS, used as most code uses it: check the code, read one of the two streams. */
final class UrlConnectionClient implements BodyClient {
    private final SSLContext ssl;

    UrlConnectionClient(SSLContext ssl) {
        this.ssl = ssl;
    }

    private HttpURLConnection connect(String url) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        if (c instanceof HttpsURLConnection) {
            ((HttpsURLConnection) c).setSSLSocketFactory(ssl.getSocketFactory());
            ((HttpsURLConnection) c).setHostnameVerifier((host, session) -> true);
        }
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        return c;
    }

    @Override
    public void leakErrorBody(String url) throws Exception {
        HttpURLConnection c = connect(url);
        int code = c.getResponseCode();
        if (code >= 400) {
            return; // the bug: the error stream is never read nor closed
        }
        c.getInputStream().close();
    }

    @Override
    public void cleanCall(String url, int variant) throws Exception {
        HttpURLConnection c = connect(url);
        int code = c.getResponseCode();
        switch (variant % 4) {
            case 0:
                try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
                    in.read();
                }
                break;
            case 1:
                (code >= 400 ? c.getErrorStream() : c.getInputStream()).readAllBytes(); // to end of stream, not closed
                break;
            case 2:
                c.disconnect();
                break;
            default:
                // exactly content-length bytes and no further read: the JDK already gave the connection back
                InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream();
                in.readNBytes((int) c.getContentLengthLong());
        }
    }

    @Override
    public Object open(String url) throws Exception {
        return connect(url).getInputStream();
    }

    @Override
    public void close(Object opened) throws Exception {
        ((InputStream) opened).close();
    }
}
