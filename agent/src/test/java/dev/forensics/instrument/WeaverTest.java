package dev.forensics.instrument;

import static dev.forensics.instrument.Hook.Arg.entered;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.returned;
import static dev.forensics.instrument.Hook.Arg.thrown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The weaver on shapes javac produces (loop heads at offset 0, switches, uninitialized objects across branches,
 * try/catch/finally, wide values, many arguments): the woven class passes this JVM's verifier, each hook receives what
 * the table names, the method's own results and exceptions are unchanged, and a hook that throws is swallowed.
 */
class WeaverTest {
    private static final String PROBE = "dev/forensics/instrument/Probe";
    private static final String SHAPES = "dev.forensics.instrument.Shapes";

    private static final List<Hook> HOOKS = List.of(
            Hook.jdk("loop", Feature.AGENT, SHAPES, "loopFromStart", "(I)I").atEntry(PROBE, "loopFromStart", param(0, "I")),
            Hook.jdk("switches", Feature.AGENT, SHAPES, "switches", "(IJDLjava/lang/String;)I")
                    .atEntry(PROBE, "switches", param(0, "I"), param(1, "J"), param(2, "D"), param(3)),
            Hook.jdk("uninitialized", Feature.AGENT, SHAPES, "uninitialized", null).atEntry(PROBE, "uninitialized", param(0, "Z")),
            Hook.jdk("caught", Feature.AGENT, SHAPES, "caught", "([II)I").atEntry(PROBE, "caught", param(0), param(1, "I")),
            Hook.jdk("many", Feature.AGENT, SHAPES, "manyArguments", null).atEntry(PROBE, "manyArguments",
                    param(0, "I"), param(1, "I"), param(2, "J"), param(3, "I"), param(4), param(5, "D"), param(6, "I")),
            Hook.jdk("straight", Feature.AGENT, SHAPES, "straight", "(I)I").atEntry(PROBE, "straight", param(0, "I")),
            Hook.jdk("everywhere", Feature.AGENT, SHAPES, "returnsEverywhere", "(I)I")
                    .entering(PROBE, "entered", true, param(0, "I"))
                    .atExit(PROBE, "returned", entered(), param(0, "I"), returned("I")),
            Hook.jdk("wide", Feature.AGENT, SHAPES, "wide", "(J)J").atExit(PROBE, "wideReturned", param(0, "J"), returned("J")),
            Hook.jdk("fails", Feature.AGENT, SHAPES, "fails", "(Ljava/lang/String;)V").onThrow(PROBE, "failed", thrown(), param(0)));

    @AfterEach
    void reset() {
        Probe.CALLS.clear();
        Probe.fail = false;
        Feature.enable(Feature.AGENT, true);
    }

    @Test
    void aClassThatLoadsWithoutTheHooksMethodIsSaidOncePerHook() throws Exception {
        List<String> said = new java.util.ArrayList<>();
        Hook gone = Hook.jdk("gone", Feature.AGENT, SHAPES, "renamedInANewerRelease", null).atEntry(PROBE, "straight", param(0, "I"));
        Hook there = Hook.jdk("there", Feature.AGENT, SHAPES, "straight", "(I)I").atEntry(PROBE, "straight", param(0, "I"));
        Weaver w = new Weaver(List.of(gone, there), new Weaver.Listener() {
            @Override
            public void weavingFailed(String className, Throwable error) {
                said.add("failed " + className);
            }

            @Override
            public void woven(String className, ClassLoader loader) {
            }

            @Override
            public void matchedNothing(Hook hook, String detail) {
                said.add(hook.name() + ": " + detail);
            }
        });
        ClassLoader app = new ClassLoader("app", getClass().getClassLoader()) {};
        assertThat(w.transform(null, app, SHAPES.replace('.', '/'), null, null, bytes(SHAPES))).isNotNull();
        assertThat(w.transform(null, new ClassLoader("another", getClass().getClassLoader()) {}, SHAPES.replace('.', '/'), null, null, bytes(SHAPES))).isNotNull();
        assertThat(said).containsExactly("gone: no method renamedInANewerRelease in " + SHAPES);
        assertThat(w.outcome("there").state()).isEqualTo(Weaver.State.WOVEN);
    }

    @Test
    void everyHookIsWovenAndReceivesWhatItsRowNames() throws Exception {
        Map<String, Weaver.Outcome> outcomes = new HashMap<>();
        Class<?> c = load(SHAPES, Weaver.weave(bytes(SHAPES), HOOKS, outcomes));
        assertThat(outcomes.values()).extracting(Weaver.Outcome::state).containsOnly(Weaver.State.WOVEN).hasSize(HOOKS.size());
        Object shapes = c.getConstructor(int.class).newInstance(100);

        assertThat(call(c, null, "loopFromStart", 9)).isEqualTo(3);
        assertThat(call(c, shapes, "switches", 1, 500_000L, 2.5, "abc")).isEqualTo(11 + 2000 + 100 + 2 + 3);
        assertThat(call(c, shapes, "caught", new int[] {7}, 3)).isEqualTo(-3);
        assertThat(call(c, null, "uninitialized", true).toString()).isEqualTo("yes!");
        assertThat(call(c, null, "manyArguments", 1, 2, 3L, 4, null, 5.0, 6)).isEqualTo(21L);
        assertThat(call(c, null, "straight", 21)).isEqualTo(42);
        assertThat(call(c, null, "returnsEverywhere", -5)).isEqualTo(-1);
        assertThat(call(c, null, "returnsEverywhere", 0)).isEqualTo(0);
        assertThat(call(c, null, "returnsEverywhere", 4)).isEqualTo(12);
        assertThat(call(c, null, "wide", Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE);
        call(c, null, "fails", (Object) null);
        assertThatThrownBy(() -> call(c, null, "fails", "disk on fire")).isInstanceOf(IOException.class).hasMessage("disk on fire");

        assertThat(Probe.CALLS).containsExactly(
                "loopFromStart 9", "switches 1 500000 2.5 abc", "caught 1 3", "uninitialized true", "manyArguments 1 2 3 4 null 5.0 6", "straight 21",
                "entered -5", "finally -5", "returned token--5 -5 -1",
                "entered 0", "finally 0", "returned token-0 0 0",
                "entered 4", "finally 4", "returned token-4 4 12",
                "wideReturned 9223372036854775806 9223372036854775807",
                "failed disk on fire disk on fire");
    }

    @Test
    void aHookThatThrowsIsSwallowedCountedAndSwitchesItsFeatureOff() throws Exception {
        Class<?> c = load(SHAPES, Weaver.weave(bytes(SHAPES), HOOKS, new HashMap<>()));
        long before = AdviceErrors.count(Feature.AGENT);
        Probe.fail = true;
        assertThat(call(c, null, "straight", 21)).isEqualTo(42);
        assertThat(call(c, null, "returnsEverywhere", 4)).isEqualTo(12);
        assertThat(call(c, null, "wide", 1L)).isEqualTo(2L);
        assertThatThrownBy(() -> call(c, null, "fails", "original")).isInstanceOf(IOException.class).hasMessage("original");
        assertThat(AdviceErrors.count(Feature.AGENT) - before).isEqualTo(5); // entered + returned in returnsEverywhere
        assertThat(Probe.CALLS).containsExactly("finally 4"); // the method's own line, not a hook's
    }

    @Test
    void aClassWithoutTheHookedMethodIsLeftAlone() throws Exception {
        Map<String, Weaver.Outcome> outcomes = new HashMap<>();
        List<Hook> none = List.of(Hook.jdk("nothing", Feature.AGENT, SHAPES, "noSuchMethod", null).atEntry(PROBE, "straight", param(0, "I")));
        assertThat(Weaver.weave(bytes(SHAPES), none, outcomes)).isNull();
        assertThat(outcomes.get("nothing").state()).isEqualTo(Weaver.State.NO_METHOD);
    }

    static byte[] bytes(String className) throws IOException {
        try (InputStream in = WeaverTest.class.getClassLoader().getResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines {@code name} from {@code woven} in a loader of its own (everything else from the test's loader). */
    static Class<?> load(String name, byte[] woven) throws ClassNotFoundException {
        ClassLoader loader = new ClassLoader(WeaverTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (n.equals(name)) {
                    synchronized (getClassLoadingLock(n)) {
                        Class<?> c = findLoadedClass(n);
                        return c != null ? c : defineClass(n, woven, 0, woven.length);
                    }
                }
                return super.loadClass(n, resolve);
            }
        };
        return Class.forName(name, true, loader);
    }

    private static Object call(Class<?> c, Object target, String name, Object... args) throws Exception {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Exception) {
                        throw (Exception) e.getCause();
                    }
                    throw e;
                }
            }
        }
        throw new NoSuchMethodException(name);
    }
}
