package dev.forensics.termination;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShutdownWatchTest {
    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, -1);
    }

    @Test
    void aHookWaitingInTheJdkHttpClientsCloseIsExplained() {
        StackTraceElement[] closing = {
            frame("java.lang.Object", "wait0"), frame("java.lang.Thread", "join"),
            frame("jdk.internal.net.http.HttpClientImpl", "awaitTermination"), frame("java.net.http.HttpClient", "close"),
            frame("org.springframework.beans.factory.support.DisposableBeanAdapter", "destroy")};
        assertThat(ShutdownWatch.whyItWaits(closing)).startsWith("waits in java.net.http.HttpClient.close()")
                .contains("never closed").contains("shutdownNow()");
        StackTraceElement[] sleeping = {frame("java.lang.Thread", "sleep"), frame("com.acme.Flush", "run")};
        assertThat(ShutdownWatch.whyItWaits(sleeping)).isNull();
    }
}
