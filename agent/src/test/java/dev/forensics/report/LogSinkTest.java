package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogSinkTest {
    private final ClassLoader system = ClassLoader.getSystemClassLoader();
    private final ClassLoader launched = new URLClassLoader("launched", new URL[0], system);
    private final ClassLoader plugin = new URLClassLoader("plugin", new URL[0], system);

    @Test
    void theLoaderTheApplicationRunsInIsAskedBeforeTheSystemLoader() {
        List<ClassLoader> order = LogSink.candidates(List.of(system, launched), List.of(system, plugin, launched), system);
        assertThat(order).containsExactly(launched, system, plugin);
    }

    @Test
    void aPlainClassPathApplicationIsLookedUpInTheSystemLoaderFirst() {
        List<ClassLoader> order = LogSink.candidates(List.of(system), List.of(system, plugin), system);
        assertThat(order).containsExactly(system, plugin);
    }

    @Test
    void hiddenErrorsReachStderrOncePerKindPerMinuteAndTheNextLineCountsTheRest() {
        LogSink.QuietErrors quiet = new LogSink.QuietErrors();
        long t = 0;
        assertThat(quiet.line("leak", "leak A", t)).isEqualTo("leak A");
        assertThat(quiet.line("leak", "leak B", t + 1)).isNull();
        assertThat(quiet.line("leak", "leak C", t + 2)).isNull();
        assertThat(quiet.line("agent", "feature failed", t + 3)).isEqualTo("feature failed");
        assertThat(quiet.line("leak", "leak D", t + LogSink.QuietErrors.WINDOW_NANOS + 1))
                .startsWith("leak D (+2 more ERROR findings like this hidden by the application's log");
        assertThat(quiet.line("leak", "leak E", t + 3 * LogSink.QuietErrors.WINDOW_NANOS)).isEqualTo("leak E");
    }

    @Test
    void theProviderIsNamedWithItsVersionFromTheJarManifest() throws Exception {
        Class<?> simple = Class.forName("org.slf4j.simple.SimpleLoggerFactory");
        assertThat(AppLogger.framework(simple)).matches("slf4j-simple 2\\.\\d+\\.\\d+");
        assertThat(AppLogger.framework(String.class)).isEqualTo("java.lang.String");
    }

    @Test
    void aPlainApplicationsSlf4jIsBoundAndShowsAnErrorLine() throws Throwable {
        LogSink sink = new LogSink("auto");
        // The test JVM's own system loader has slf4j-simple: bound at once, named with its loader.
        sink.log(Finding.Severity.ERROR, "test", "a finding at error");
        AppLogger bound = boundLogger(sink);
        assertThat(bound).isNotNull();
        assertThat(bound.description()).startsWith("slf4j-simple ").endsWith(" via the system class loader");
        assertThat(bound.hiddenWhy()).isNull();
        assertThat(bound.log(Finding.Severity.ERROR, "error line")).isEqualTo(AppLogger.Shown.YES);
    }

    private static AppLogger boundLogger(LogSink sink) throws Exception {
        java.lang.reflect.Field f = LogSink.class.getDeclaredField("logger");
        f.setAccessible(true);
        return ((java.lang.ref.WeakReference<?>) f.get(sink)).get() instanceof AppLogger a ? a : null;
    }
}
