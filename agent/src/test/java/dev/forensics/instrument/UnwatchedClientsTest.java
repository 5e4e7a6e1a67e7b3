package dev.forensics.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnwatchedClientsTest {
    @Test
    void aClientIsNamedAtItsFirstClassOnlyAndNoOtherClassIsEver() {
        UnwatchedClients u = new UnwatchedClients();
        UnwatchedClients.Client ahc = u.firstSighting("org/asynchttpclient/DefaultAsyncHttpClient");
        assertThat(ahc).isNotNull();
        assertThat(ahc.name()).isEqualTo("AsyncHttpClient");
        assertThat(ahc.groupId()).isEqualTo("org.asynchttpclient");
        assertThat(ahc.artifactId()).isEqualTo("async-http-client");
        assertThat(u.firstSighting("org/asynchttpclient/DefaultAsyncHttpClient")).as("second loader, same client").isNull();
        assertThat(u.firstSighting("org/asynchttpclient/AsyncHttpClient")).isNull();
        assertThat(u.firstSighting("org/apache/hc/client5/http/impl/classic/MainClientExec")).isNull();
        assertThat(u.firstSighting("java/lang/String")).isNull();
    }

    @Test
    void noClientInTheTableIsOneTheAgentTracksOrAnotherFolderInstruments() {
        Set<String> names = new HashSet<>();
        for (UnwatchedClients.Client c : new UnwatchedClients().all()) {
            String type = UnwatchedClients.className(c);
            assertThat(names.add(c.name())).as(c.name()).isTrue();
            assertThat(type).as(c.name()).doesNotStartWith("org.apache.hc.").doesNotStartWith("okhttp3.").doesNotStartWith("java.")
                    .doesNotStartWith("reactor.netty.").doesNotStartWith("org.eclipse.jetty.").doesNotStartWith("feign.");
            for (Hook h : Targets.all()) {
                assertThat(h.typeName()).isNotEqualTo(type);
            }
        }
    }
}
