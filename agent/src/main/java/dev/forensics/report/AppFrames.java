package dev.forensics.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Which frames of a stack are the application's own code, judged by where each frame's class came from: the
 * application's classes directory or jar ({@code BOOT-INF/classes}, {@code WEB-INF/classes}, the main class's code
 * source, class path directories) versus library jars ({@code BOOT-INF/lib}, {@code WEB-INF/lib}, any other jar, and
 * whatever shares the code source of the instrumented client class) and the JDK. A package name alone cannot tell:
 * test code lives under its library's packages, and a wrapper library under none we know. Only used when a finding is
 * reported, never on a request; class locations are cached (bounded). Where no class can be found, or with
 * {@code appPackages} set, the package name decides.
 */
public final class AppFrames {
    public enum Kind {
        APP,
        LIBRARY,
        JDK
    }

    /** The location of a class of the JDK (bootstrap or platform loader, or a {@code java.}/{@code jdk.} module). */
    static final String JDK = "<jdk>";

    static final int MAX_CACHED = 4096;

    private static final String[] LIBRARY_PREFIXES = {
        "java.",
        "javax.",
        "jdk.",
        "sun.",
        "com.sun.",
        "kotlin.",
        "okhttp3.",
        "okio.",
        "org.apache.hc.",
        "org.apache.http.",
        "org.eclipse.jetty.",
        "reactor.core.",
        "reactor.netty.",
        "io.netty.",
        "org.springframework.web.reactive.",
        "org.springframework.http.client.",
    };

    private static volatile String[] appPackages;
    /** className@loaderName → location ("" when the class was not found). */
    private static final ConcurrentHashMap<String, String> LOCATIONS = new ConcurrentHashMap<>();

    private static volatile String mainLocation;
    private static volatile int mainTriedAt = -1;

    private AppFrames() {}

    /** Package prefixes that are the application's, from {@code appPackages=}; null or empty: judge by code source. */
    public static void setAppPackages(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            appPackages = null;
            return;
        }
        String[] parts = commaSeparated.split("[,;:\\s]+");
        int n = 0;
        for (String p : parts) {
            if (!p.isEmpty()) {
                parts[n++] = p.endsWith(".") || p.endsWith("$") ? p : p + ".";
            }
        }
        appPackages = n == 0 ? null : java.util.Arrays.copyOf(parts, n);
    }

    /** Today's rule for a class nothing else is known of: JDK, HTTP client libraries and the agent are not the application. */
    public static boolean isLibraryByName(String className) {
        if (Sites.isAgentFrame(className)) {
            return true;
        }
        for (String p : LIBRARY_PREFIXES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** The kind of a frame of a live stack, {@code clientLocation} being where the instrumented client class came from. */
    public static Kind kind(StackTraceElement e, String clientLocation) {
        String[] own = appPackages;
        String name = e.getClassName();
        if (own != null) {
            return ownPackage(name, own) && !Sites.isAgentFrame(name)
                    ? Kind.APP
                    : isJdkName(name) ? Kind.JDK : Kind.LIBRARY;
        }
        return kind(name, location(e), clientLocation, mainLocation());
    }

    /**
     * The pure rule. {@code location}: the class's code source URL as text, {@link #JDK}, or null when unknown;
     * {@code mainLocation}: the main class's, or null.
     */
    static Kind kind(String className, String location, String clientLocation, String mainLocation) {
        if (Sites.isAgentFrame(className)) {
            return Kind.LIBRARY;
        }
        if (JDK.equals(location)) {
            return Kind.JDK;
        }
        if (location == null || location.isEmpty()) {
            return isJdkName(className) ? Kind.JDK : isLibraryByName(className) ? Kind.LIBRARY : Kind.APP;
        }
        if (location.equals(clientLocation)) {
            return Kind.LIBRARY; // the client's own jar or classes directory, whatever its packages
        }
        if (location.contains("BOOT-INF/classes") || location.contains("WEB-INF/classes")) {
            return Kind.APP;
        }
        if (location.contains("BOOT-INF/lib/") || location.contains("WEB-INF/lib/")) {
            return Kind.LIBRARY;
        }
        if (location.equals(mainLocation)) {
            return Kind.APP;
        }
        if (location.startsWith("file:") && location.endsWith("/")) {
            return Kind.APP; // a classes directory on the class path: the application's (or its tests') own
        }
        if (mainLocation != null) {
            return Kind.LIBRARY; // a jar that does not hold the main class
        }
        return isLibraryByName(className) ? Kind.LIBRARY : Kind.APP;
    }

    private static boolean ownPackage(String className, String[] own) {
        for (String p : own) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJdkName(String className) {
        return className.startsWith("java.")
                || className.startsWith("jdk.")
                || className.startsWith("sun.")
                || className.startsWith("com.sun.")
                || className.startsWith("javax.");
    }

    /** Where the frame's class came from, {@link #JDK}, or null when no loader we know has it. Cached. */
    public static String location(StackTraceElement e) {
        String module = e.getModuleName();
        String loader = e.getClassLoaderName();
        if ((module != null && (module.startsWith("java.") || module.startsWith("jdk.")))
                || "platform".equals(loader)) {
            return JDK;
        }
        String key = e.getClassName() + "@" + loader;
        String cached = LOCATIONS.get(key);
        if (cached != null) {
            return cached.isEmpty() ? null : cached;
        }
        String found = lookUp(e.getClassName(), "app".equals(loader));
        if (LOCATIONS.size() >= MAX_CACHED) {
            LOCATIONS.clear();
        }
        LOCATIONS.put(key, found == null ? "" : found);
        return found;
    }

    private static String lookUp(String className, boolean systemOnly) {
        for (ClassLoader l : Loaders.all()) {
            try {
                return location(Class.forName(className, false, l)); // a class already on a stack: nothing initialises
            } catch (Throwable notThere) {
                // next loader
            }
            if (systemOnly) {
                break;
            }
        }
        return null;
    }

    static String location(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        if (l == null || l == ClassLoader.getPlatformClassLoader()) {
            return JDK;
        }
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? null : cs.getLocation().toString();
    }

    /** The main class's code source, looked up again while it is unknown and new loaders appear. */
    static String mainLocation() {
        String m = mainLocation;
        int generation = Loaders.generation();
        if (m != null || mainTriedAt == generation) {
            return m;
        }
        mainTriedAt = generation;
        try {
            String command = System.getProperty("sun.java.command", "").trim();
            String first = command.isEmpty() ? "" : command.split("\\s+")[0];
            String mainClass = first;
            if (first.endsWith(".jar")) {
                Path jar = Paths.get(first).toAbsolutePath();
                mainClass = mainClassOf(jar);
                if (mainClass == null) {
                    m = jar.toUri().toString(); // the jar itself: its classes are the application's
                }
            }
            if (m == null && !mainClass.isEmpty()) {
                m = lookUp(mainClass, false);
            }
        } catch (Throwable t) {
            m = null;
        }
        mainLocation = m;
        return m;
    }

    /** Spring Boot's {@code Start-Class}, else {@code Main-Class}; regular files only. */
    static String mainClassOf(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return null;
        }
        try (JarFile j = new JarFile(jar.toFile(), false)) {
            Manifest mf = j.getManifest();
            if (mf == null) {
                return null;
            }
            String start = mf.getMainAttributes().getValue("Start-Class");
            return start != null ? start.trim() : mf.getMainAttributes().getValue("Main-Class");
        } catch (Throwable t) {
            return null;
        }
    }

    /** For tests: forget cached locations and the main class. */
    static void reset() {
        LOCATIONS.clear();
        mainLocation = null;
        mainTriedAt = -1;
    }
}
