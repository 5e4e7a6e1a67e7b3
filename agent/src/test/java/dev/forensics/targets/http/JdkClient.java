package dev.forensics.targets.http;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The JDK's HttpClient with the body handlers whose bodies must be closed: ofInputStream (sync, async), ofLines,
 * ofPublisher; and ofInputStream handed over late ({@link #handedOverLate}), so the response is built on another thread.
 */
final class JdkClient implements BodyClient {
    enum Mode { SYNC, ASYNC, LINES, PUBLISHER, LATE }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Mode mode;

    JdkClient(Mode mode) {
        this.mode = mode;
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).GET().build();
    }

    private BodyHandler<InputStream> ofInputStream() {
        return mode == Mode.LATE ? JdkClient::handedOverLate : BodyHandlers.ofInputStream();
    }

    /**
     * ofInputStream behind a subscriber that hands the stream over a few milliseconds after its subscription, from a
     * timer thread: the client's future for the body is not complete when it returns from reading the headers, so the
     * response object is built later, on the thread that completes it.
     */
    static BodySubscriber<InputStream> handedOverLate(HttpResponse.ResponseInfo info) {
        BodySubscriber<InputStream> stream = BodySubscribers.ofInputStream();
        CompletableFuture<InputStream> body = new CompletableFuture<>();
        return new BodySubscriber<>() {
            @Override
            public CompletionStage<InputStream> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                stream.onSubscribe(subscription);
                stream.getBody().thenAcceptAsync(body::complete, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS));
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                stream.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                stream.onError(t);
                body.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                stream.onComplete();
            }
        };
    }

    @Override
    public void leakErrorBody(String url) throws Exception {
        switch (mode) {
            case SYNC:
            case LATE: {
                HttpResponse<InputStream> r = client.send(get(url), ofInputStream());
                if (r.statusCode() >= 400) {
                    return; // the bug: the error body is never closed
                }
                r.body().close();
                break;
            }
            case ASYNC: {
                HttpResponse<InputStream> r = client.sendAsync(get(url), BodyHandlers.ofInputStream()).get(30, TimeUnit.SECONDS);
                if (r.statusCode() >= 400) {
                    return;
                }
                r.body().close();
                break;
            }
            case LINES: {
                HttpResponse<Stream<String>> r = client.send(get(url), BodyHandlers.ofLines());
                if (r.statusCode() >= 400) {
                    return;
                }
                r.body().close();
                break;
            }
            default: {
                HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = client.send(get(url), BodyHandlers.ofPublisher());
                if (r.statusCode() >= 400) {
                    return;
                }
                drain(r.body(), false);
            }
        }
    }

    @Override
    public void cleanCall(String url, int variant) throws Exception {
        switch (mode) {
            case SYNC:
            case LATE:
                switch (variant % 4) {
                    case 0:
                        try (InputStream in = client.send(get(url), ofInputStream()).body()) {
                            in.read();
                        }
                        break;
                    case 1:
                        client.send(get(url), ofInputStream()).body().readAllBytes(); // read to the end, not closed
                        break;
                    case 2:
                        client.send(get(url), BodyHandlers.ofString()).body();
                        break;
                    default:
                        client.send(get(url), BodyHandlers.ofByteArray()).body();
                }
                break;
            case ASYNC: {
                CompletableFuture<Integer> f = client.sendAsync(get(url), BodyHandlers.ofInputStream()).thenApply(r -> {
                    try (InputStream in = r.body()) {
                        return variant % 2 == 0 ? in.read() : in.readAllBytes().length;
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                f.get(30, TimeUnit.SECONDS);
                break;
            }
            case LINES:
                if (variant % 2 == 0) {
                    try (Stream<String> lines = client.send(get(url), BodyHandlers.ofLines()).body()) {
                        lines.findFirst();
                    }
                } else {
                    client.send(get(url), BodyHandlers.ofLines()).body().forEach(l -> { }); // consumed to the end
                }
                break;
            default:
                drain(client.send(get(url), BodyHandlers.ofPublisher()).body(), variant % 2 == 1);
        }
    }

    @Override
    public Object open(String url) throws Exception {
        switch (mode) {
            case LINES:
                return client.send(get(url), BodyHandlers.ofLines()).body();
            case PUBLISHER:
                return client.send(get(url), BodyHandlers.ofPublisher()).body();
            case ASYNC:
                return client.sendAsync(get(url), BodyHandlers.ofInputStream()).get(30, TimeUnit.SECONDS).body();
            default:
                return client.send(get(url), ofInputStream()).body();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void close(Object opened) throws Exception {
        if (opened instanceof AutoCloseable) {
            ((AutoCloseable) opened).close();
        } else {
            drain((Flow.Publisher<List<ByteBuffer>>) opened, true);
        }
    }

    /** Subscribes and reads everything, or cancels after the first item. */
    private static void drain(Flow.Publisher<List<ByteBuffer>> publisher, boolean cancelEarly) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<List<ByteBuffer>>() {
            private Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(cancelEarly ? 1 : Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                if (cancelEarly) {
                    s.cancel();
                    done.complete(null);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.complete(null);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }
}
