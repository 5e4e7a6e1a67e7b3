package dev.forensics.instrument.exit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.bootstrap.Feature;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

/**
 * The weaver against the real JDK classes it targets. JDK 17's woven classes are renamed out of java.* and put
 * through this JVM's own bytecode verifier (which checks every hand-written frame); JDK 25's, which this JVM cannot
 * load, are woven and checked for every site (the agent tests run them on JDK 25, whose verifier checks them too).
 */
class CallWeaverTest {
    private static final String[] TARGETS = {"java/lang/Runtime", "java/lang/Shutdown", "java/lang/Thread", "jdk/internal/misc/Signal"};

    @Test
    void everySiteIsWovenIntoJdk17AndTheVerifierAcceptsTheResult() throws Exception {
        for (String owner : TARGETS) {
            byte[] original = jdkClass(Paths.get(System.getProperty("java.home")), owner);
            List<String> woven = new ArrayList<>();
            byte[] out = CallWeaver.weave(original, sitesOf(owner), Feature.TERMINATION, woven);
            assertThat(woven).as(owner).containsExactlyInAnyOrderElementsOf(namesOf(owner));
            verify(owner, out);
        }
    }

    @Test
    void everySiteIsWovenIntoJdk25() throws Exception {
        Path jdk25 = Paths.get(System.getProperty("forensics.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(jdk25), "JDK 25 not installed at " + jdk25);
        for (String owner : TARGETS) {
            List<String> woven = new ArrayList<>();
            byte[] out = CallWeaver.weave(jdkClass(jdk25, owner), sitesOf(owner), Feature.TERMINATION, woven);
            assertThat(woven).as(owner).containsExactlyInAnyOrderElementsOf(namesOf(owner));
            new ClassReader(out).accept(new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {}, 0);
        }
    }

    @Test
    void aClassWithoutTheTargetMethodIsLeftAlone() throws Exception {
        byte[] original = jdkClass(Paths.get(System.getProperty("java.home")), "java/lang/Object");
        List<String> woven = new ArrayList<>();
        assertThat(CallWeaver.weave(original, sitesOf("java/lang/Runtime"), Feature.TERMINATION, woven)).isNull();
        assertThat(woven).isEmpty();
    }

    private static List<CallWeaver.Site> sitesOf(String owner) {
        return ExitInstrumentation.SITES.stream().filter(s -> s.owner().equals(owner)).collect(Collectors.toList());
    }

    private static List<String> namesOf(String owner) {
        return sitesOf(owner).stream().map(CallWeaver.Site::hookName).collect(Collectors.toList());
    }

    static byte[] jdkClass(Path javaHome, String internalName) throws Exception {
        String module = internalName.startsWith("jdk/internal/misc") || internalName.startsWith("java/lang") ? "java.base" : "?";
        if (javaHome.equals(Paths.get(System.getProperty("java.home")))) {
            FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
            return Files.readAllBytes(jrt.getPath("modules", module, internalName + ".class"));
        }
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", javaHome.toString()))) {
            return Files.readAllBytes(jrt.getPath("modules", module, internalName + ".class"));
        }
    }

    /** Renames the woven class out of java.* and has this JVM link it, which runs the type-checking verifier. */
    static void verify(String owner, byte[] woven) throws Exception {
        String renamed = "woven/" + owner.replace('/', '_');
        ClassReader reader = new ClassReader(woven);
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassRemapper(writer, new SimpleRemapper(owner, renamed)), 0);
        byte[] bytes = writer.toByteArray();
        ClassLoader loader = new ClassLoader(CallWeaverTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (name.equals(renamed.replace('/', '.'))) {
                    return defineClass(name, bytes, 0, bytes.length);
                }
                throw new ClassNotFoundException(name);
            }
        };
        Class<?> c = loader.loadClass(renamed.replace('/', '.'));
        try {
            // Linking verifies; what the copied JDK code then does in its static initializer is not our concern.
            Class.forName(c.getName(), true, loader);
        } catch (VerifyError e) {
            throw new AssertionError("woven " + owner + " fails verification", e);
        } catch (Throwable afterVerification) {
            // IllegalAccessError, UnsatisfiedLinkError... raised by initialization, after the verifier accepted it.
        }
    }
}
