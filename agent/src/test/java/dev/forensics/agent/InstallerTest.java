package dev.forensics.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import dev.forensics.targets.Victim;
import java.lang.instrument.Instrumentation;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.asm.Advice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The self-check names hooks that match nothing, and failing advice costs its feature, never the caller. */
class InstallerTest {
    private static Instrumentation inst;

    @BeforeAll
    static void attach() {
        inst = ByteBuddyAgent.install();
    }

    @Test
    void hooksThatMatchNothingAreReportedAsMissingOrNotApplicable() {
        List<Hook> hooks = List.of(
                Hook.jdk("real", Feature.AGENT, "java.lang.Runtime", named("availableProcessors"), NoOpAdvice.class),
                Hook.jdk("no-such-type", Feature.AGENT, "java.lang.NoSuchRuntime", named("exit"), NoOpAdvice.class),
                Hook.jdk("no-such-method", Feature.AGENT, "java.lang.Runtime", named("exitLater"), NoOpAdvice.class),
                Hook.library("absent-library", Feature.AGENT, "com/acme/NotHere.class", "com.acme.NotHere", named("x"), NoOpAdvice.class));

        HookStatus.Report report = Installer.install(inst, hooks);

        assertThat(report.entries()).extracting(e -> e.hook().name() + "=" + e.state()).containsExactly(
                "real=ACTIVE", "no-such-type=MISSING", "no-such-method=MISSING", "absent-library=NOT_APPLICABLE");
        assertThat(report.missingSummary())
                .contains("no-such-type: type java.lang.NoSuchRuntime not found")
                .contains("no-such-method: no matching method in java.lang.Runtime");
        assertThat(report.transformationErrors()).isZero();
    }

    @Test
    void adviceThatThrowsIsSuppressedCountedAndSwitchesItsFeatureOff() {
        Feature.enable(Feature.PIPES, true);
        HookStatus.Report report = Installer.install(inst, List.of(Hook.jdk("throws", Feature.PIPES, Victim.class.getName(), named("work"), ThrowingAdvice.class)));
        assertThat(report.entries()).extracting(e -> e.state()).containsExactly(HookStatus.State.ACTIVE);

        assertThat(new Victim().work()).isEqualTo(42);
        assertThat(new Victim().work()).isEqualTo(42);

        assertThat(AdviceErrors.count(Feature.PIPES)).isEqualTo(1);
        assertThat(AdviceErrors.first(Feature.PIPES)).isInstanceOf(IllegalStateException.class).hasMessage("advice bug");
        assertThat(Feature.enabled(Feature.PIPES)).isFalse();
    }

    public static class NoOpAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            // matching is what is under test
        }
    }

    public static class ThrowingAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            if (Feature.enabled(Feature.PIPES)) {
                throw new IllegalStateException("advice bug");
            }
        }
    }
}
