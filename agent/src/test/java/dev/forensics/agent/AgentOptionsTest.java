package dev.forensics.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    @Test
    void emptyOrNullMeansDefaults() {
        for (String raw : new String[] {null, "", " , "}) {
            AgentOptions o = AgentOptions.parse(raw);
            assertThat(o.problems()).isEmpty();
            assertThat(o.problemLine()).isNull();
            assertThat(o.redact()).isTrue();
            assertThat(o.log()).isEqualTo("auto");
            assertThat(o.journalMaxBytes()).isEqualTo(16L * 1024 * 1024);
        }
    }

    @Test
    void goodValuesAreTaken() {
        AgentOptions o = AgentOptions.parse("dir=/var/log/app, redact=false,log=stderr,journalMaxBytes=512k,termination=off");
        assertThat(o.problems()).isEmpty();
        assertThat(o.dir()).isEqualTo(Paths.get("/var/log/app"));
        assertThat(o.redact()).isFalse();
        assertThat(o.log()).isEqualTo("stderr");
        assertThat(o.journalMaxBytes()).isEqualTo(512 * 1024);
        assertThat(o.feature("termination")).isFalse();
    }

    @Test
    void appPackagesTakeCommaSeparatedPrefixesInsideTheOptionString() {
        AgentOptions o = AgentOptions.parse("appPackages=com.acme,org.example.shop.,leakStacks=1%,dir=/tmp/x");
        assertThat(o.problems()).isEmpty();
        assertThat(o.raw("appPackages")).isEqualTo("com.acme,org.example.shop.");
        assertThat(o.raw("leakStacks")).isEqualTo("1%");
        AgentOptions bad = AgentOptions.parse("appPackages=com/acme,log=stderr");
        assertThat(bad.problemLine()).contains("'appPackages'");
        assertThat(bad.log()).isEqualTo("stderr");
        assertThat(AgentOptions.parse("log=stderr,com.acme").problemLine()).as("only after appPackages").contains("unknown option 'com.acme'");
    }

    @Test
    void everyProblemIsNamedInOneLineAndTheRestStillApplies() {
        AgentOptions o = AgentOptions.parse("colour=blue,redact=maybe,journalMaxBytes=12,dir,log=stderr");
        assertThat(o.problems()).hasSize(4);
        assertThat(o.problemLine()).doesNotContain("\n").contains("unknown option 'colour'").contains("'redact'")
                .contains("'journalMaxBytes'").contains("'dir' needs a value");
        assertThat(o.log()).isEqualTo("stderr");
        assertThat(o.redact()).isTrue();
    }

    @Test
    void everyOptionIsDocumentedInTheReadme() throws Exception {
        for (Path page : new Path[] {Paths.get("..", "README.md"), Paths.get("..", "docs", "options.md")}) {
            String text = Files.readString(page).replace("`", "");
            for (AgentOptions.Spec s : AgentOptions.SPECS) {
                assertThat(text).as(page + " documents option " + s.key() + " with its default").contains("| " + s.key() + " | " + s.defaultValue());
            }
        }
    }

    @Test
    void leakOptionsAreValidated() {
        AgentOptions good = AgentOptions.parse("leaks=off,leakStacks=always,leakHeldAfter=30s,leakMaxOpen=1000,healthPeriod=off");
        assertThat(good.problems()).isEmpty();
        assertThat(good.feature("leaks")).isFalse();
        assertThat(good.raw("leakStacks")).isEqualTo("always");
        assertThat(AgentOptions.parse("leakStacks=250/s,healthPeriod=500ms").problems()).isEmpty();
        assertThat(AgentOptions.parse("leakStacks=2.5%").problems()).isEmpty();
        assertThat(AgentOptions.parse("leakStacks=0%").problems()).hasSize(1);
        AgentOptions bad = AgentOptions.parse("leaks=maybe,leakStacks=sometimes,leakHeldAfter=soon,leakMaxOpen=5,healthPeriod=10");
        assertThat(bad.problems()).hasSize(5);
        assertThat(bad.problemLine()).contains("'leaks'").contains("'leakStacks'").contains("'leakHeldAfter'").contains("'leakMaxOpen'")
                .contains("'healthPeriod'");
        assertThat(bad.feature("leaks")).as("a bad value keeps the default").isTrue();
    }

    @Test
    void durationsAndSizesParse() {
        assertThat(AgentOptions.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(AgentOptions.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(AgentOptions.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(AgentOptions.parseDuration("x")).isNull();
        assertThat(AgentOptions.parseSize("16m")).isEqualTo(16L << 20);
        assertThat(AgentOptions.parseSize("-1")).isEqualTo(-1);
    }

    @Test
    void blackBoxAndDoctorOptionsAreValidated() {
        AgentOptions good = AgentOptions.parse("blackbox=off,doctor=off,heartbeat=2s,envRoot=/tmp/fixture,unitPath=/etc/systemd/system:/opt/units");
        assertThat(good.problems()).isEmpty();
        assertThat(good.feature("blackbox")).isFalse();
        assertThat(good.feature("doctor")).isFalse();
        assertThat(good.raw("heartbeat")).isEqualTo("2s");
        assertThat(AgentOptions.defaults().feature("blackbox")).isTrue();
        assertThat(AgentOptions.defaults().feature("doctor")).isTrue();
        AgentOptions bad = AgentOptions.parse("blackbox=maybe,heartbeat=100ms,envRoot=relative/dir,unitPath=/etc:units");
        assertThat(bad.problems()).hasSize(4);
        assertThat(bad.problemLine()).contains("'blackbox'").contains("from 1s to 10m").contains("absolute paths, got 'relative/dir'")
                .contains("absolute paths, got 'units'");
        assertThat(AgentOptions.parse("heartbeat=11m").problems()).hasSize(1);
    }

    /** Once, heartbeat=9223372036854775807s threw ArithmeticException out of parsing and disabled the whole agent. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "heartbeat=9223372036854775807s", "heartbeat=9223372036854775807m", "heartbeat=9223372036854775807h",
        "heartbeat=9223372036854775807", "heartbeat=-9223372036854775808ms", "pipeLoopWindow=9223372036854775807s",
        "pipeLoopWindow=9223372036854775807h", "leakHeldAfter=9223372036854775807s", "leakHeldAfter=2000h",
        "healthPeriod=9223372036854775807ms", "healthPeriod=99999999999h", "journalMaxBytes=9223372036854775807k",
        "journalMaxBytes=9223372036854775807g", "journalMaxBytes=2048g", "leakMaxOpen=99999999999", "pipeLoopFailures=-1",
        "leakStacks=9999999999/s", "heartbeat=1e3s", "heartbeat=5 s", "heartbeat=0x10s", "journalMaxBytes=16mb",
    })
    void outOfRangeValuesAreOneProblemEachAndNeverThrow(String option) {
        AgentOptions o = AgentOptions.parse(option + ",log=stderr");
        String key = option.substring(0, option.indexOf('='));
        assertThat(o.problems()).as(option).hasSize(1);
        assertThat(o.problemLine()).doesNotContain("\n").contains("'" + key + "'").contains("the agent runs with defaults for these");
        assertThat(o.raw(key)).as("the default stays").isNull();
        assertThat(o.log()).as("the rest still applies").isEqualTo("stderr");
        assertThat(o.journalMaxBytes()).isEqualTo(16L * 1024 * 1024);
    }

    @Test
    void durationsTooLongForNanosecondsAreNotDurations() {
        assertThat(AgentOptions.parseDuration("9223372036854775807s")).isNull();
        assertThat(AgentOptions.parseDuration("9223372036854775807m")).isNull();
        assertThat(AgentOptions.parseDuration("106751d")).isNull();
        assertThat(AgentOptions.parseDuration("2562047h")).isNotNull();
        assertThat(AgentOptions.parseSize("9223372036854775807k")).isEqualTo(-1);
        assertThat(AgentOptions.parseSize("8388607t")).isEqualTo(-1);
    }

    /** Random option strings: parsing never throws, and every problem stays on the one line. */
    @Test
    void fuzzedOptionStringsNeverThrow() {
        java.util.Random random = new java.util.Random(8);
        String[] keys = AgentOptions.SPECS.stream().map(AgentOptions.Spec::key).toArray(String[]::new);
        String[] values = {"", "0", "-1", "9223372036854775807", "9223372036854775808", "1e9", "on", "off", "ms", "s",
            "/tmp", "relative", "=", ",", "\u0000", "\n", "%", "100%", "0.0001%", "always", "12/s", "k", "1g", "999999999999m"};
        for (int n = 0; n < 5_000; n++) {
            StringBuilder sb = new StringBuilder();
            int parts = 1 + random.nextInt(4);
            for (int p = 0; p < parts; p++) {
                sb.append(p == 0 ? "" : ",").append(keys[random.nextInt(keys.length)]).append('=')
                        .append(values[random.nextInt(values.length)]).append(random.nextBoolean() ? values[random.nextInt(values.length)] : "");
            }
            AgentOptions o = AgentOptions.parse(sb.toString());
            if (!o.problems().isEmpty()) {
                assertThat(o.problemLine()).as(sb.toString()).isNotBlank();
            }
            o.journalMaxBytes();
        }
    }
}
