package dev.forensics.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

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

    @Test
    void theWeaverTellsItsListenerOfAClientsFirstDefinitionOnlyAndNeverOfARetransformation() {
        List<String> told = new ArrayList<>();
        Weaver w = new Weaver(List.of(), new UnwatchedClients(), new Weaver.Listener() {
            @Override
            public void weavingFailed(String className, Throwable error) {
            }

            @Override
            public void woven(String className, ClassLoader loader) {
            }

            @Override
            public void unwatched(UnwatchedClients.Client client, String className, ClassLoader loader, ProtectionDomain domain) {
                told.add(client.name() + " " + className + " " + (loader == null ? "boot" : loader.getName()));
            }
        });
        ClassLoader app = new ClassLoader("app", null) {};
        assertThat(w.transform(null, app, "io/vertx/ext/web/client/WebClient", String.class, null, new byte[0])).isNull();
        assertThat(told).as("a retransformation is not a sighting").isEmpty();
        assertThat(w.transform(null, app, "io/vertx/ext/web/client/WebClient", null, null, new byte[0])).isNull();
        assertThat(w.transform(null, new ClassLoader("other", null) {}, "io/vertx/ext/web/client/WebClient", null, null, new byte[0])).isNull();
        assertThat(w.transform(null, app, "io/vertx/core/Vertx", null, null, new byte[0])).isNull();
        assertThat(told).containsExactly("Vert.x Web Client io.vertx.ext.web.client.WebClient app");

        Weaver off = new Weaver(List.of(), null, new Weaver.Listener() {
            @Override
            public void weavingFailed(String className, Throwable error) {
            }

            @Override
            public void woven(String className, ClassLoader loader) {
            }

            @Override
            public void unwatched(UnwatchedClients.Client client, String className, ClassLoader loader, ProtectionDomain domain) {
                told.add("off");
            }
        });
        off.transform(null, app, "org/asynchttpclient/DefaultAsyncHttpClient", null, null, new byte[0]);
        assertThat(told).as("leak feature off: no table").doesNotContain("off");
    }

    /** On attach the client's class is loaded already: the weaver finds it among the loaded classes. */
    @Test
    void aClientLoadedBeforeTheWeaverIsInstalledIsNamedAtInstall() throws Exception {
        ClassWriter cw = new ClassWriter(0);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "io/ktor/client/engine/cio/CIOEngine", null, "java/lang/Object", null);
        cw.visitEnd();
        byte[] bytes = cw.toByteArray();
        ClassLoader ktor = new ClassLoader("ktor-app", UnwatchedClientsTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (name.equals("io.ktor.client.engine.cio.CIOEngine")) {
                    return defineClass(name, bytes, 0, bytes.length);
                }
                throw new ClassNotFoundException(name);
            }
        };
        Class<?> engine = Class.forName("io.ktor.client.engine.cio.CIOEngine", false, ktor);
        List<String> told = new ArrayList<>();
        Instrumentation inst = ByteBuddyAgent.install();
        Weaver w = new Weaver(List.of(), new UnwatchedClients(), new Weaver.Listener() {
            @Override
            public void weavingFailed(String className, Throwable error) {
            }

            @Override
            public void woven(String className, ClassLoader loader) {
            }

            @Override
            public void unwatched(UnwatchedClients.Client client, String className, ClassLoader loader, ProtectionDomain domain) {
                told.add(client.name() + " " + className + " " + loader.getName());
            }
        });
        try {
            w.install(inst);
        } finally {
            inst.removeTransformer(w);
        }
        assertThat(told).containsExactly("Ktor CIO client engine io.ktor.client.engine.cio.CIOEngine ktor-app");
        assertThat(engine.getClassLoader()).isSameAs(ktor);
    }
}
