package dev.forensics.agent;

import static dev.forensics.instrument.Hook.Arg.self;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.lang.instrument.Instrumentation;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The self-check names hooks that match nothing, and a failing hook costs its feature, never the caller. */
class InstallerTest {
    private static final String HOOKS = "dev/forensics/agent/InstallerTest$Hooks";
    private static Instrumentation inst;

    @BeforeAll
    static void attach() {
        inst = ByteBuddyAgent.install();
    }

    @Test
    void hooksThatMatchNothingAreReportedAsMissingOrNotApplicable() {
        new Victim().work(); // loaded before the install: retransformed
        List<Hook> hooks = List.of(
                Hook.jdk("real", Feature.AGENT, Victim.class.getName(), "work", "()I").atEntry(HOOKS, "noop", self()),
                Hook.jdk("no-such-type", Feature.AGENT, "java.lang.NoSuchRuntime", "exit", null).atEntry(HOOKS, "noop", self()),
                Hook.jdk("no-such-method", Feature.AGENT, "java.lang.Runtime", "exitLater", null).atEntry(HOOKS, "noop", self()),
                Hook.library("absent-library", Feature.AGENT, "com/acme/NotHere.class", "com.acme.NotHere", "x", null).atEntry(HOOKS, "noop", self()));

        HookStatus.Report report = Installer.install(inst, hooks).check(inst);
        new Victim().work();

        assertThat(report.entries()).extracting(e -> e.hook().name() + "=" + e.state()).containsExactly(
                "real=ACTIVE", "no-such-type=MISSING", "no-such-method=MISSING", "absent-library=NOT_APPLICABLE");
        assertThat(report.missingSummary())
                .contains("no-such-type: type java.lang.NoSuchRuntime not found")
                .contains("no-such-method: no method exitLater in java.lang.Runtime");
        assertThat(report.transformationErrors()).isZero();
        assertThat(AdviceErrors.total()).as(String.valueOf(AdviceErrors.first(Feature.AGENT))).isZero();
        assertThat(Hooks.calls).isPositive();
    }

    @Test
    void aHookThatThrowsIsSuppressedCountedAndSwitchesItsFeatureOff() {
        Feature.enable(Feature.PIPES, true);
        HookStatus.Report report = Installer.install(inst, List.of(
                Hook.jdk("throws", Feature.PIPES, Other.class.getName(), "work", "()I").atExit(HOOKS, "boom", self()))).check(inst);
        assertThat(report.entries()).extracting(e -> e.state()).containsExactly(HookStatus.State.ACTIVE);

        assertThat(new Other().work()).isEqualTo(42);
        assertThat(new Other().work()).isEqualTo(42);

        assertThat(AdviceErrors.count(Feature.PIPES)).isEqualTo(1);
        assertThat(AdviceErrors.first(Feature.PIPES)).isInstanceOf(IllegalStateException.class).hasMessage("hook bug");
        assertThat(Feature.enabled(Feature.PIPES)).isFalse();
    }

    public static final class Hooks {
        static volatile int calls;

        public static void noop(Object self) {
            calls++;
        }

        public static void boom(Object self) {
            if (Feature.enabled(Feature.PIPES)) {
                throw new IllegalStateException("hook bug");
            }
        }
    }

    public static final class Victim {
        public int work() {
            return 42;
        }
    }

    public static final class Other {
        public int work() {
            return 42;
        }
    }
}
