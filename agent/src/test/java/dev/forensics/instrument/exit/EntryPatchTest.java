package dev.forensics.instrument.exit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The ASM-free entry weave: the JDK classes it is used on pass this JVM's verifier (JDK 17) or at least parse (JDK 25,
 * whose verifier the agent tests exercise); methods of awkward shapes still verify and behave exactly as before, with
 * the hook seeing their arguments; a failing hook is recorded and the method runs on.
 */
class EntryPatchTest {
    private static final String SHAPES = "dev/forensics/instrument/exit/EntryShapes";
    private static final String PROBE = "dev/forensics/instrument/exit/EntryProbe";

    @AfterEach
    void reset() {
        EntryProbe.CALLS.clear();
        EntryProbe.fail = false;
    }

    @Test
    void everyEntrySiteOfJdk17IsPatchedAndVerifies() throws Exception {
        for (String owner : owners()) {
            List<String> woven = new ArrayList<>();
            byte[] out = EntryPatch.patch(CallWeaverTest.jdkClass(Paths.get(System.getProperty("java.home")), owner),
                    entrySitesOf(owner), Feature.TERMINATION, woven);
            assertThat(woven).as(owner).containsExactlyInAnyOrderElementsOf(names(entrySitesOf(owner)));
            CallWeaverTest.verify(owner, out);
        }
    }

    @Test
    void everyEntrySiteOfJdk25IsPatchedIntoAWellFormedClass() throws Exception {
        Path jdk25 = Paths.get(System.getProperty("forensics.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(jdk25), "JDK 25 not installed at " + jdk25);
        for (String owner : owners()) {
            List<String> woven = new ArrayList<>();
            byte[] out = EntryPatch.patch(CallWeaverTest.jdkClass(jdk25, owner), entrySitesOf(owner), Feature.TERMINATION, woven);
            assertThat(woven).as(owner).containsExactlyInAnyOrderElementsOf(names(entrySitesOf(owner)));
            new ClassReader(out).accept(new ClassVisitor(Opcodes.ASM9) {}, 0); // every attribute and frame parses
        }
    }

    @Test
    void awkwardShapesVerifyBehaveAsBeforeAndTheHookSeesTheArguments() throws Exception {
        Class<?> c = patchedShapes();
        Object shapes = c.getConstructor(int.class).newInstance(100);

        assertThat(c.getMethod("loopFromStart", int.class).invoke(null, 10)).isEqualTo(2);
        assertThat(c.getMethod("switches", int.class, long.class, double.class, String.class).invoke(shapes, 1, 500_000L, 2.5, "abc"))
                .isEqualTo(11 + 2000 + 100 + 2 + 3);
        assertThat(c.getMethod("switches", int.class, long.class, double.class, String.class).invoke(shapes, 7, 5L, 0.0, ""))
                .isEqualTo(-1 + 1000 + 100);
        assertThat(c.getMethod("uninitialized", boolean.class).invoke(null, true).toString()).isEqualTo("yes!");
        assertThat(c.getMethod("uninitialized", boolean.class).invoke(null, false).toString()).isEqualTo("no!");
        assertThat(c.getMethod("caught", int[].class, int.class).invoke(shapes, new int[] {4, 5}, 1)).isEqualTo(105);
        assertThat(c.getMethod("caught", int[].class, int.class).invoke(shapes, new int[] {4, 5}, 9)).isEqualTo(-9);
        Method many = c.getMethod("manyArguments", int.class, int.class, long.class, int.class, Object.class, double.class, int.class);
        assertThat(many.invoke(null, 1, 2, 3_000_000_000L, 4, "e", 6.9, 7)).isEqualTo(1 + 2 + 3_000_000_000L + 4 + 1 + 6 + 7);
        assertThat(c.getMethod("straight", int.class).invoke(null, 21)).isEqualTo(42);

        assertThat(EntryProbe.CALLS).containsExactly(
                "loopFromStart 10",
                "switches 1 500000 2.5 abc",
                "switches 7 5 0.0 ",
                "uninitialized true",
                "uninitialized false",
                "caught 2 1",
                "caught 2 9",
                "manyArguments 1 2 3000000000 4 e 6.9 7",
                "straight 21");
    }

    @Test
    void aFailingHookIsRecordedAndTheMethodRunsOn() throws Exception {
        Class<?> c = patchedShapes();
        long before = AdviceErrors.count(Feature.TERMINATION);
        EntryProbe.fail = true;
        try {
            assertThat(c.getMethod("loopFromStart", int.class).invoke(null, 9)).isEqualTo(3);
            assertThat(c.getMethod("straight", int.class).invoke(null, 4)).isEqualTo(8);
        } finally {
            Feature.enable(Feature.TERMINATION, true); // record() switched it off, as it must for a broken hook
        }
        assertThat(AdviceErrors.count(Feature.TERMINATION)).isEqualTo(before + 2);
        assertThat(EntryProbe.CALLS).isEmpty();
    }

    @Test
    void aClassWithoutTheMethodsIsLeftAloneAndReturnSitesAreRefused() throws Exception {
        byte[] object = CallWeaverTest.jdkClass(Paths.get(System.getProperty("java.home")), "java/lang/Object");
        List<String> woven = new ArrayList<>();
        assertThat(EntryPatch.patch(object, entrySitesOf("java/lang/Runtime"), Feature.TERMINATION, woven)).isNull();
        assertThat(woven).isEmpty();
        List<CallWeaver.Site> withReturn = ExitInstrumentation.SITES.stream()
                .filter(s -> s.owner().equals("java/lang/Shutdown")).collect(Collectors.toList());
        assertThatThrownBy(() -> EntryPatch.patch(object, withReturn, Feature.TERMINATION, woven))
                .isInstanceOf(EntryPatch.Unsupported.class);
    }

    private static Class<?> patchedShapes() throws Exception {
        byte[] original;
        try (InputStream in = EntryPatchTest.class.getResourceAsStream("/" + SHAPES + ".class")) {
            original = in.readAllBytes();
        }
        List<CallWeaver.Site> sites = new ArrayList<>();
        for (Method m : EntryProbe.class.getDeclaredMethods()) {
            if (java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                Method target = null;
                for (Method t : EntryShapes.class.getDeclaredMethods()) {
                    if (t.getName().equals(m.getName())) {
                        target = t;
                    }
                }
                sites.add(new CallWeaver.Site("test." + m.getName(), SHAPES, target.getName(),
                        org.objectweb.asm.Type.getMethodDescriptor(target), false, PROBE, m.getName(), org.objectweb.asm.Type.getMethodDescriptor(m)));
            }
        }
        List<String> woven = new ArrayList<>();
        byte[] patched = EntryPatch.patch(original, sites, Feature.TERMINATION, woven);
        assertThat(woven).hasSize(6);
        String name = SHAPES.replace('/', '.');
        ClassLoader loader = new ClassLoader(EntryPatchTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (n.equals(name)) {
                    synchronized (getClassLoadingLock(n)) {
                        Class<?> c = findLoadedClass(n);
                        return c != null ? c : defineClass(n, patched, 0, patched.length);
                    }
                }
                return super.loadClass(n, resolve);
            }
        };
        Class<?> c = Class.forName(name, true, loader); // links, so the verifier checks every frame now
        assertThat(c.getClassLoader()).isSameAs(loader);
        return c;
    }

    private static List<String> owners() {
        return ExitInstrumentation.SITES.stream().filter(s -> !s.atReturn()).map(CallWeaver.Site::owner).distinct()
                .collect(Collectors.toList());
    }

    private static List<CallWeaver.Site> entrySitesOf(String owner) {
        return ExitInstrumentation.SITES.stream().filter(s -> s.owner().equals(owner) && !s.atReturn()).collect(Collectors.toList());
    }

    private static List<String> names(List<CallWeaver.Site> sites) {
        return sites.stream().map(CallWeaver.Site::hookName).collect(Collectors.toList());
    }
}
