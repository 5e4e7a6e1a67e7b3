package dev.forensics.report;

import static dev.forensics.report.AppFrames.Kind.APP;
import static dev.forensics.report.AppFrames.Kind.JDK;
import static dev.forensics.report.AppFrames.Kind.LIBRARY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppFramesTest {
    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        AppFrames.setAppPackages(null);
        AppFrames.reset();
    }

    @Test
    void springBootNestedJarsTellTheApplicationsClassesFromItsLibraries() {
        String main = "jar:nested:/srv/shop.jar/!BOOT-INF/classes/!/";
        assertThat(AppFrames.kind("com.acme.Clients$RetryOnceOn5xx", main, null, main)).isEqualTo(APP);
        assertThat(AppFrames.kind("org.springframework.http.client.JdkClientHttpRequest",
                "jar:nested:/srv/shop.jar/!BOOT-INF/lib/spring-web-6.2.1.jar", null, main)).isEqualTo(LIBRARY);
        // Spring Boot before 3.2
        assertThat(AppFrames.kind("com.acme.Proxy", "jar:file:/srv/shop.jar!/BOOT-INF/classes!/", null, null)).isEqualTo(APP);
        assertThat(AppFrames.kind("io.github.resilience4j.retry.Retry", "jar:file:/srv/shop.jar!/BOOT-INF/lib/resilience4j-retry-2.2.0.jar!/",
                null, null)).isEqualTo(LIBRARY);
        // the launcher at the jar's root is not the application
        assertThat(AppFrames.kind("org.springframework.boot.loader.launch.JarLauncher", "file:/srv/shop.jar", null, main)).isEqualTo(LIBRARY);
    }

    @Test
    void webApplicationsClassesAreTheApplicationsAndItsLibJarsAreNot() {
        String main = "file:/opt/tomcat/bin/bootstrap.jar";
        assertThat(AppFrames.kind("com.acme.shop.Checkout", "file:/opt/tomcat/webapps/shop/WEB-INF/classes/", null, main)).isEqualTo(APP);
        assertThat(AppFrames.kind("feign.SynchronousMethodHandler", "file:/opt/tomcat/webapps/shop/WEB-INF/lib/feign-core-13.5.jar", null, main))
                .isEqualTo(LIBRARY);
        assertThat(AppFrames.kind("org.apache.catalina.core.StandardWrapperValve", "file:/opt/tomcat/lib/catalina.jar", null, main))
                .isEqualTo(LIBRARY);
    }

    @Test
    void onAPlainClassPathTheMainJarAndClassesDirectoriesAreTheApplicationsOtherJarsAreLibraries() {
        String main = "file:/srv/app/app.jar";
        assertThat(AppFrames.kind("com.acme.Main", main, null, main)).isEqualTo(APP);
        assertThat(AppFrames.kind("retrofit2.OkHttpCall", "file:/srv/app/lib/retrofit-2.11.0.jar", null, main)).isEqualTo(LIBRARY);
        assertThat(AppFrames.kind("com.acme.Tool", "file:/home/dev/acme/target/classes/", null, main)).isEqualTo(APP);
    }

    @Test
    void testClassesUnderTheClientsPackageHeadWhileTheClientsOwnClassesDirectoryDoesNot() {
        // Apache HttpClient 5's own test suite: the client in target/classes, its tests in target/test-classes.
        String client = "file:/home/dev/httpclient5/httpclient5/target/classes/";
        String tests = "file:/home/dev/httpclient5/httpclient5/target/test-classes/";
        String main = "file:/home/dev/.m2/repository/org/apache/maven/surefire/surefire-booter/3.5.2/surefire-booter-3.5.2.jar";
        assertThat(AppFrames.kind("org.apache.hc.client5.http.impl.classic.InternalHttpClient", client, client, main)).isEqualTo(LIBRARY);
        assertThat(AppFrames.kind("org.apache.hc.client5.testing.sync.TestClientRequestExecution", tests, client, main)).isEqualTo(APP);
        assertThat(AppFrames.kind("org.junit.platform.engine.support.hierarchical.NodeTestTask",
                "file:/home/dev/.m2/repository/org/junit/platform/junit-platform-engine-1.11.4.jar", client, main)).isEqualTo(LIBRARY);
    }

    @Test
    void theJdkAndTheAgentAreNeverTheApplication() {
        assertThat(AppFrames.kind("java.net.http.HttpClient", AppFrames.JDK, null, null)).isEqualTo(JDK);
        assertThat(AppFrames.kind("dev.forensics.leak.Origin", "file:/srv/forensics.jar", null, "file:/srv/forensics.jar")).isEqualTo(LIBRARY);
        assertThat(AppFrames.location(new StackTraceElement("app", "java.base", "17", "java.lang.Thread", "run", "Thread.java", 1)))
                .isEqualTo(AppFrames.JDK);
        assertThat(AppFrames.location(String.class)).isEqualTo(AppFrames.JDK);
    }

    @Test
    void withoutAKnownClassThePackageNameDecides() {
        assertThat(AppFrames.kind("okhttp3.internal.connection.RealCall", null, null, null)).isEqualTo(LIBRARY);
        assertThat(AppFrames.kind("org.eclipse.jetty.client.transport.HttpRequest", null, null, null)).isEqualTo(LIBRARY);
        assertThat(AppFrames.kind("sun.net.www.protocol.http.HttpURLConnection", null, null, null)).isEqualTo(JDK);
        assertThat(AppFrames.kind("com.acme.Proxy", null, null, null)).isEqualTo(APP);
        // a jar while the main class is unknown: the name decides too
        assertThat(AppFrames.kind("org.apache.hc.core5.http.impl.io.HttpRequestExecutor", "file:/x/httpcore5.jar", null, null)).isEqualTo(LIBRARY);
        assertThat(AppFrames.kind("com.acme.Proxy", "file:/x/acme.jar", null, null)).isEqualTo(APP);
    }

    @Test
    void aRealFramesClassIsFoundThroughTheLoadersAndItsCodeSourceDecides() {
        // Under the client's package, but in the test classes directory: not the client's jar.
        StackTraceElement own = new StackTraceElement("app", null, null, "org.apache.hc.forensicsit.ApacheSideApp", "leak", "ApacheSideApp.java", 1);
        assertThat(AppFrames.location(own)).startsWith("file:").endsWith("/test-classes/");
        StackTraceElement client = new StackTraceElement("app", null, null, "org.apache.hc.client5.http.impl.classic.InternalHttpClient",
                "doExecute", "InternalHttpClient.java", 1);
        assertThat(AppFrames.location(client)).endsWith(".jar");
        assertThat(AppFrames.kind(own, AppFrames.location(client))).isEqualTo(APP);
        assertThat(AppFrames.kind(client, AppFrames.location(client))).isEqualTo(LIBRARY);
        StackTraceElement junit = new StackTraceElement("app", null, null, Test.class.getName(), "x", "Test.java", 1);
        assertThat(AppFrames.location(junit)).endsWith(".jar");
        assertThat(AppFrames.kind(junit, AppFrames.location(junit))).as("the client's own code source").isEqualTo(LIBRARY);
        assertThat(AppFrames.location(new StackTraceElement("app", null, null, "com.acme.Missing", "x", null, 1))).isNull();
    }

    @Test
    void appPackagesOverrideTheGuess() {
        AppFrames.setAppPackages("com.acme,org.apache.hc.forensicsit");
        assertThat(AppFrames.kind(frame("com.acme.Proxy"), null)).isEqualTo(APP);
        assertThat(AppFrames.kind(frame("org.apache.hc.forensicsit.ApacheSideApp"), null)).isEqualTo(APP);
        assertThat(AppFrames.kind(frame("org.springframework.web.client.RestTemplate"), null)).isEqualTo(LIBRARY);
        assertThat(AppFrames.kind(frame("dev.forensics.targets.http.OriginSites"), null)).as("a classes directory, yet not listed")
                .isEqualTo(LIBRARY);
        assertThat(AppFrames.kind(frame("java.net.URL"), null)).isEqualTo(JDK);
        assertThat(AppFrames.kind(frame("com.acmeish.Other"), null)).as("a prefix is a package, not any string").isEqualTo(LIBRARY);
        AppFrames.setAppPackages(" ");
        assertThat(AppFrames.kind(frame("dev.forensics.targets.http.OriginSites"), null)).as("back to the guess").isEqualTo(APP);
    }

    @Test
    void theMainClassOfAnExecutableJarIsSpringBootsStartClassElseItsMainClass() throws Exception {
        assertThat(AppFrames.mainClassOf(jar("boot.jar", "org.springframework.boot.loader.launch.JarLauncher", "com.acme.ShopApplication")))
                .isEqualTo("com.acme.ShopApplication");
        assertThat(AppFrames.mainClassOf(jar("plain.jar", "com.acme.Main", null))).isEqualTo("com.acme.Main");
        assertThat(AppFrames.mainClassOf(dir.resolve("missing.jar"))).isNull();
        assertThat(AppFrames.mainClassOf(dir)).as("regular files only").isNull();
    }

    private Path jar(String name, String mainClass, String startClass) throws Exception {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        if (startClass != null) {
            mf.getMainAttributes().putValue("Start-Class", startClass);
        }
        Path p = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
        return p;
    }

    private static StackTraceElement frame(String className) {
        return new StackTraceElement(className, "m", "X.java", 1);
    }
}
