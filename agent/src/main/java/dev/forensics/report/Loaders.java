package dev.forensics.report;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The class loaders that hold the application, as they appear: the weaver tells us the defining loader of every class
 * that loads (one identity check per class), so a Spring Boot launched loader, an application server's web-app loaders
 * or a plugin loader are known the moment their first class loads. The system loader alone sees neither
 * {@code BOOT-INF/lib} nor {@code WEB-INF/lib}; whoever looks for the application's SLF4J, for a library or for the
 * class of a stack frame asks these. Weak (an undeployed web app's loader is not pinned) and capped.
 */
public final class Loaders {
    static final int MAX = 256;

    /** Guarded by itself; values are the order of appearance. */
    private static final Map<ClassLoader, Integer> SEEN = new WeakHashMap<>();

    private static volatile WeakReference<ClassLoader> last = new WeakReference<>(null);
    private static volatile int generation;
    private static int appeared;
    private static long overflow;

    private Loaders() {}

    /**
     * Called for the defining loader of every class that loads (and of every loaded class on attach); cheap when the
     * loader is the one seen last, which it nearly always is.
     */
    public static void saw(ClassLoader loader) {
        if (loader == null || last.get() == loader) {
            return;
        }
        String type = loader.getClass().getName();
        // One loader per generated reflection accessor (JDK 17) or per hidden class host: never the application's.
        if (type.equals("jdk.internal.reflect.DelegatingClassLoader")) {
            return;
        }
        synchronized (SEEN) {
            if (!SEEN.containsKey(loader)) {
                if (SEEN.size() >= MAX) {
                    overflow++;
                } else {
                    SEEN.put(loader, appeared++);
                    generation++;
                }
            }
        }
        last = new WeakReference<>(loader);
    }

    /**
     * Changes whenever a loader appears: a lookup that found nothing may try again once this moved, instead of caching
     * its miss for the JVM's life.
     */
    public static int generation() {
        return generation;
    }

    /**
     * The loaders seen so far that are still alive, in the order they appeared, with the system loader first (it is
     * seen before any agent code runs, but a test or an attach may not have told us yet); never the bootstrap loader.
     */
    public static List<ClassLoader> all() {
        List<Map.Entry<ClassLoader, Integer>> entries;
        synchronized (SEEN) {
            entries = new ArrayList<>(SEEN.entrySet());
        }
        entries.sort(Map.Entry.comparingByValue());
        List<ClassLoader> out = new ArrayList<>(entries.size() + 1);
        ClassLoader system = ClassLoader.getSystemClassLoader();
        out.add(system);
        for (Map.Entry<ClassLoader, Integer> e : entries) {
            ClassLoader l = e.getKey();
            if (l != null && l != system) {
                out.add(l);
            }
        }
        return out;
    }

    /** Loaders not remembered because {@link #MAX} were alive already. */
    public static long overflow() {
        synchronized (SEEN) {
            return overflow;
        }
    }

    /**
     * The first loader (in {@link #all()} order) that has the resource, such as {@code org/slf4j/LoggerFactory.class};
     * null when none has it. Resources are looked up, never classes loaded: asking must not initialise anything.
     */
    public static ClassLoader withResource(String resource) {
        for (ClassLoader l : all()) {
            try {
                if (l.getResource(resource) != null) {
                    return l;
                }
            } catch (Throwable t) {
                // a loader that fails to answer (closed, or broken by its application) simply does not have it
            }
        }
        return null;
    }

    /** A loader's name for a person: its own name, else its class, e.g. {@code LaunchedClassLoader}. */
    public static String describe(ClassLoader loader) {
        if (loader == null) {
            return "the bootstrap loader";
        }
        if (loader == ClassLoader.getSystemClassLoader()) {
            return "the system class loader";
        }
        String name = loader.getName();
        String type = loader.getClass().getName();
        String simple = type.substring(type.lastIndexOf('.') + 1);
        return name == null ? simple : simple + " '" + name + "'";
    }
}
