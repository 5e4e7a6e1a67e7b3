package dev.forensics.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The names a JVM answers to. A JVM started with {@code java -jar app.jar} shows only its jar, but an operator knows
 * a Spring Boot service by its application class: the jar's manifest names that ({@code Start-Class}) and the
 * launcher that runs it ({@code Main-Class}, e.g. {@code JarLauncher}). The jar is read from the JVM's own view of
 * the file system, only when it is a regular file, and within a time limit; a jar that cannot be read adds no names.
 */
final class JvmNames {
    /** Fat jars are large, but not this large; a bigger "jar" is not opened. */
    static final long MAX_JAR_BYTES = 4L * 1024 * 1024 * 1024;
    /** Real manifests are a few KiB; a huge one (a zip bomb) is not read. */
    static final int MAX_MANIFEST_BYTES = 1024 * 1024;
    /** How long one JVM's jar may take to read (a name swapped for a FIFO between check and open blocks the open). */
    static final long READ_NANOS = 2_000_000_000L;

    static final String PROPERTIES_LAUNCHER = "PropertiesLauncher";
    private static final int MAX_LINKS = 8;
    /** A manifest value is shown and matched only when it looks like a class name, so it cannot forge list output. */
    private static final Pattern CLASS_NAME =
            Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    /** What a JVM may be called: its main class or jar, and for a jar its launcher and application class (or null). */
    record Names(String main, String launcher, String startClass) {
        /** Same rule for every name: the whole name, or its last dotted or slashed part(s). */
        boolean answersTo(String name) {
            for (String n : new String[] {main, launcher, startClass}) {
                if (n != null && !n.isEmpty() && (n.equals(name) || n.endsWith("." + name) || n.endsWith("/" + name))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The manifest's two class names; either may be null. */
    record JarMain(String mainClass, String startClass) {}

    /** Per pid and start time: a command run asks once per JVM, however many names it tries. */
    private static final Map<String, Names> CACHE = new ConcurrentHashMap<>();

    private JvmNames() {}

    /** The names of the JVM with this pid and attach display name; reads its jar at most once per command run. */
    static Names of(long pid, String displayName) {
        String main = Target.mainOf(displayName);
        if (!isJar(main)) {
            return new Names(main, null, null);
        }
        String started = ProcessHandle.of(pid)
                .flatMap(p -> p.info().startInstant())
                .map(Object::toString)
                .orElse("?");
        return CACHE.computeIfAbsent(pid + "@" + started + "@" + main, k -> {
            Path root = Proc.dir(pid).resolve("root");
            Path cwd = Proc.dir(pid).resolve("cwd");
            JarMain m = ListCommand.within(() -> read(locate(root, cwd, main)), "jar-" + pid, READ_NANOS, null);
            String launcher = m == null ? null : m.mainClass();
            String app = m == null ? null : m.startClass();
            if (launcher != null && simpleName(launcher).equals(PROPERTIES_LAUNCHER)) {
                String loaderMain = Proc.systemPropertyOption(pid, "loader.main");
                if (loaderMain != null && CLASS_NAME.matcher(loaderMain).matches()) {
                    app = loaderMain; // PropertiesLauncher runs loader.main in preference to Start-Class
                }
            }
            return new Names(main, launcher, app);
        });
    }

    static boolean isJar(String main) {
        String m = main.toLowerCase(Locale.ROOT);
        return m.endsWith(".jar") || m.endsWith(".war");
    }

    /**
     * The jar a JVM was started with, as that JVM sees it: a relative name from its working directory, an absolute one
     * (and every absolute link on the way) from its root, which differs from ours in a container. Links are followed
     * one by one without leaving that root; null unless the end is a regular file of sane size (never a FIFO or device).
     */
    static Path locate(Path root, Path cwd, String jar) {
        Path p = jar.startsWith("/") ? root.resolve(jar.substring(1)) : cwd.resolve(jar);
        try {
            for (int hops = 0; hops <= MAX_LINKS; hops++) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isSymbolicLink()) {
                    return a.isRegularFile() && a.size() <= MAX_JAR_BYTES ? p : null;
                }
                String to = Files.readSymbolicLink(p).toString();
                p = to.startsWith("/") ? root.resolve(to.substring(1)) : p.resolveSibling(to);
            }
        } catch (IOException | RuntimeException e) {
            // gone, not ours to read, or a broken link: no names from it
        }
        return null;
    }

    /** Main-Class and Start-Class of a regular jar file, or null when it is none or unreadable. */
    static JarMain read(Path jar) {
        if (jar == null || !Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            JarEntry e = f.getJarEntry(JarFile.MANIFEST_NAME);
            if (e == null) {
                return null;
            }
            byte[] b;
            try (InputStream in = f.getInputStream(e)) {
                b = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            }
            if (b.length > MAX_MANIFEST_BYTES) {
                return null;
            }
            Attributes a = new Manifest(new ByteArrayInputStream(b)).getMainAttributes();
            return new JarMain(className(a.getValue(Attributes.Name.MAIN_CLASS)), className(a.getValue("Start-Class")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String className(String value) {
        String v = value == null ? null : value.strip();
        return v != null && v.length() <= 512 && CLASS_NAME.matcher(v).matches() ? v : null;
    }

    static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
