package dev.forensics.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

/**
 * Every row of the hook table against the real classes it targets: each JDK hook finds its method in JDK 17 and
 * JDK 25, each library hook in the client versions the tests use, and the woven JDK 17 and library classes pass this
 * JVM's bytecode verifier (JDK 17's renamed out of their packages, which the verifier does not care about). The agent
 * tests then run every hook for real on both JDKs.
 */
class TableWeavingTest {
    @Test
    void everyJdkHookIsWovenIntoJdk17AndVerifies() throws Exception {
        Path home = Paths.get(System.getProperty("java.home"));
        for (Map.Entry<String, List<Hook>> e : byOwner(true).entrySet()) {
            byte[] original = jdkClass(home, e.getKey());
            byte[] woven = weaveAll(e.getKey(), original, e.getValue());
            verifyRenamed(e.getKey(), woven);
        }
    }

    @Test
    void everyJdkHookIsWovenIntoJdk25() throws Exception {
        Path jdk25 = Paths.get(System.getProperty("forensics.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Assumptions.assumeTrue(Files.isDirectory(jdk25), "JDK 25 not installed at " + jdk25);
        for (Map.Entry<String, List<Hook>> e : byOwner(true).entrySet()) {
            byte[] woven = weaveAll(e.getKey(), jdkClass(jdk25, e.getKey()), e.getValue());
            new ClassReader(woven).accept(new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {}, 0);
        }
    }

    @Test
    void everyLibraryHookIsWovenIntoItsLibraryAndVerifies() throws Exception {
        for (Map.Entry<String, List<Hook>> e : byOwner(false).entrySet()) {
            String name = e.getKey().replace('/', '.');
            byte[] woven = weaveAll(e.getKey(), WeaverTest.bytes(name), e.getValue());
            try {
                WeaverTest.load(name, woven);
            } catch (VerifyError v) {
                throw new AssertionError("woven " + name + " fails verification", v);
            } catch (LinkageError afterVerification) {
                // IllegalAccessError and the like: raised after the verifier accepted the class
            } catch (InternalError initialisation) {
                // a static initialiser that spins a lambda over the copy's types, which its own loader cannot share
                // (Reactor Netty's ChannelOperations): it runs after the verifier accepted the class
                if (!(initialisation.getCause() instanceof LinkageError)) {
                    throw initialisation;
                }
            }
        }
    }

    private static byte[] weaveAll(String owner, byte[] original, List<Hook> hooks) {
        Map<String, Weaver.Outcome> outcomes = new HashMap<>();
        byte[] woven = Weaver.weave(original, hooks, outcomes);
        for (Hook h : hooks) {
            assertThat(outcomes.get(h.name())).as(h.name() + " in " + owner).isNotNull();
            assertThat(outcomes.get(h.name()).state()).as(h.name() + " in " + owner + ": " + outcomes.get(h.name()).detail())
                    .isEqualTo(Weaver.State.WOVEN);
        }
        assertThat(woven).isNotNull();
        return woven;
    }

    private static Map<String, List<Hook>> byOwner(boolean jdk) {
        Map<String, List<Hook>> out = new LinkedHashMap<>();
        for (Hook h : Targets.all()) {
            if ((h.library() == null) == jdk) {
                out.computeIfAbsent(h.owner(), k -> new ArrayList<>()).add(h);
            }
        }
        return out;
    }

    static byte[] jdkClass(Path javaHome, String internalName) throws Exception {
        boolean self = javaHome.equals(Paths.get(System.getProperty("java.home")));
        FileSystem jrt = self ? FileSystems.getFileSystem(URI.create("jrt:/"))
                : FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", javaHome.toString()));
        try {
            try (Stream<Path> modules = Files.list(jrt.getPath("modules"))) {
                for (Path m : (Iterable<Path>) modules::iterator) {
                    Path p = m.resolve(internalName + ".class");
                    if (Files.exists(p)) {
                        return Files.readAllBytes(p);
                    }
                }
            }
            throw new AssertionError(internalName + " not in " + javaHome);
        } finally {
            if (!self) {
                jrt.close();
            }
        }
    }

    /** Renames the woven class out of its package and has this JVM link it, which runs the type-checking verifier. */
    static void verifyRenamed(String owner, byte[] woven) throws Exception {
        String renamed = "woven/" + owner.replace('/', '_');
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(woven).accept(new ClassRemapper(writer, new SimpleRemapper(owner, renamed)), 0);
        try {
            WeaverTest.load(renamed.replace('/', '.'), writer.toByteArray());
        } catch (VerifyError e) {
            throw new AssertionError("woven " + owner + " fails verification", e);
        } catch (Throwable afterVerification) {
            // IllegalAccessError, UnsatisfiedLinkError... raised by linking or initialization, after the verifier accepted it
        }
    }
}
