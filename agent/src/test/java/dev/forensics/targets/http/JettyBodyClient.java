package dev.forensics.targets.http;

import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Jetty 12's HttpClient, bodies streamed through an {@code InputStreamResponseListener} the way Spring's
 * {@code JettyClientHttpRequestFactory} reads them, and buffered {@code ContentResponse}s. Every request carries
 * {@link HttpBodies#SECRET} as a bearer token and as the password in its URL's userinfo too, neither of which the agent
 * may ever write. The idle timeout is 2 s instead of Jetty's 30 s: an abandoned stream's exchange holds its connection
 * until the idle timeout aborts it, and only then can the collector confirm the leak.
 */
final class JettyBodyClient implements BodyClient {
    static final long IDLE_TIMEOUT_MS = 2000;

    private final HttpClient client = new HttpClient();

    JettyBodyClient() throws Exception {
        client.setIdleTimeout(IDLE_TIMEOUT_MS);
        client.start();
    }

    Request request(String url) {
        return client.newRequest(url.replaceFirst("://", "://alice:" + HttpBodies.SECRET + "@"))
                .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + HttpBodies.SECRET));
    }

    /** Sends the request with a streaming listener and waits for the response headers. */
    InputStreamResponseListener send(String url) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request(url).send(listener);
        listener.get(30, TimeUnit.SECONDS);
        return listener;
    }

    @Override
    public void leakErrorBody(String url) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request(url).send(listener);
        Response response = listener.get(30, TimeUnit.SECONDS);
        if (response.getStatus() >= 400) {
            return; // the bug: the connection stays taken until the idle timeout aborts the exchange
        }
        listener.getInputStream().close();
    }

    @Override
    public void cleanCall(String url, int variant) throws Exception {
        switch (variant % 6) {
            case 0:
                try (InputStream in = send(url).getInputStream()) {
                    in.read();
                }
                break;
            case 1:
                send(url).getInputStream().readAllBytes(); // read to the end, not closed
                break;
            case 2: {
                InputStreamResponseListener listener = send(url);
                listener.close(); // the error path done right: the listener closed, its stream never asked for
                break;
            }
            case 3:
                request(url).send().getContentAsString(); // buffered: nothing left to close
                break;
            case 4: {
                InputStreamResponseListener listener = new InputStreamResponseListener();
                request(url).send(listener);
                listener.get(30, TimeUnit.SECONDS).abort(new Exception("not wanted")); // how Jetty's documentation drops a body
                break;
            }
            default: {
                CompletableFuture<Result> done = new CompletableFuture<>();
                request(url).send(new BufferingResponseListener() {
                    @Override
                    public void onComplete(Result result) {
                        done.complete(result);
                    }
                });
                done.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public Object open(String url) throws Exception {
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request(url).send(listener);
        listener.get(30, TimeUnit.SECONDS);
        return listener;
    }

    @Override
    public void close(Object opened) throws Exception {
        ((InputStreamResponseListener) opened).getInputStream().close();
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
