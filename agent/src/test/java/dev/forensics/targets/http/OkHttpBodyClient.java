package dev.forensics.targets.http;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** OkHttp; the same code runs against OkHttp 4 and OkHttp 5 (okhttp-jvm), chosen by the class path. */
final class OkHttpBodyClient implements BodyClient {
    private final OkHttpClient client = new OkHttpClient.Builder().build();

    private static Request get(String url) {
        return new Request.Builder().url(url).build();
    }

    @Override
    public void leakErrorBody(String url) throws Exception {
        Response r = client.newCall(get(url)).execute();
        if (!r.isSuccessful()) {
            return; // the bug: OkHttp later logs "A connection to … was leaked", without saying where
        }
        r.close();
    }

    @Override
    public void cleanCall(String url, int variant) throws Exception {
        switch (variant % 5) {
            case 0:
                try (Response r = client.newCall(get(url)).execute()) {
                    r.code();
                }
                break;
            case 1:
                client.newCall(get(url)).execute().body().string(); // read to the end, not closed
                break;
            case 2:
                client.newCall(get(url)).execute().body().byteStream().readAllBytes();
                break;
            case 3:
                client.newCall(get(url)).execute().body().close();
                break;
            default: {
                CompletableFuture<Void> done = new CompletableFuture<>();
                client.newCall(get(url)).enqueue(new Callback() {
                    @Override
                    public void onFailure(Call call, IOException e) {
                        done.completeExceptionally(e);
                    }

                    @Override
                    public void onResponse(Call call, Response response) {
                        response.close();
                        done.complete(null);
                    }
                });
                done.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public Object open(String url) throws Exception {
        return client.newCall(get(url)).execute();
    }

    @Override
    public void close(Object opened) {
        ((Response) opened).close();
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
