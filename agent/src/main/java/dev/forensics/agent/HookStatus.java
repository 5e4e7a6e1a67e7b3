package dev.forensics.agent;

import dev.forensics.instrument.Hook;
import dev.forensics.instrument.Weaver;
import dev.forensics.report.Loaders;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * What became of each hook: woven, waiting for its class to load, missing on this JDK, not applicable (the library is
 * in no class loader that has appeared, or its feature is off), or failed. On request, a hook whose class has not
 * loaded yet is checked against that class's file, read and never loaded, because a hook that silently matches
 * nothing (JDK internals change shape) is the failure an agent otherwise never notices; at start-up only the file's
 * presence is checked, and the weaver says so when a class loads without the hook's method. A JDK class file's answer
 * never changes while the JVM runs, so each is read at most once.
 */
final class HookStatus {
    enum State {
        ACTIVE,
        READY,
        MISSING,
        NOT_APPLICABLE,
        FAILED
    }

    record Entry(Hook hook, State state, String detail) {}

    record Report(List<Entry> entries, long transformationErrors) {
        List<Entry> in(State... states) {
            List<Entry> out = new ArrayList<>();
            for (Entry e : entries) {
                for (State s : states) {
                    if (e.state() == s) {
                        out.add(e);
                    }
                }
            }
            return out;
        }

        String missingSummary() {
            StringBuilder sb = new StringBuilder();
            for (Entry e : in(State.MISSING, State.FAILED)) {
                if (sb.length() > 0) {
                    sb.append("; ");
                }
                sb.append(e.hook().name()).append(": ").append(e.detail());
            }
            return sb.toString();
        }
    }

    private final AtomicLong errors = new AtomicLong();
    /** Hook name → where its library was found, by {@link Loaders#describe}. */
    private final Map<String, String> foundIn = new ConcurrentHashMap<>();

    void weavingFailed() {
        errors.incrementAndGet();
    }

    long transformationErrors() {
        return errors.get();
    }

    /** Hook name → what reading its JDK class file found: "" when the method is there, else the problem. */
    private final Map<String, String> jdkVerdicts = new ConcurrentHashMap<>();

    /** {@code readClassFiles} false: a class file not loaded yet is looked up, not read (the start-up check). */
    Report check(Instrumentation inst, List<Hook> hooks, Weaver weaver, boolean readClassFiles) {
        Set<String> loaded = new HashSet<>();
        Class<?>[] all = inst.getAllLoadedClasses(); // null once the JVM is exiting
        for (Class<?> c : all == null ? new Class<?>[0] : all) {
            loaded.add(c.getName());
        }
        List<Entry> entries = new ArrayList<>();
        for (Hook hook : hooks) {
            Weaver.Outcome o = weaver == null ? null : weaver.outcome(hook.name());
            if (o != null && o.state() == Weaver.State.WOVEN) {
                entries.add(new Entry(hook, State.ACTIVE, "woven"));
            } else if (o != null && o.state() == Weaver.State.FAILED) {
                entries.add(new Entry(hook, State.FAILED, o.detail()));
            } else if (o != null) {
                entries.add(new Entry(hook, State.MISSING, o.detail()));
            } else if (hook.library() != null) {
                entries.add(library(hook, readClassFiles));
            } else if (loaded.contains(hook.typeName())) {
                entries.add(new Entry(hook, State.FAILED, hook.typeName() + " is loaded but was not woven"));
            } else {
                String problem = readClassFiles ? jdkVerdict(hook) : present(hook, ClassLoader.getSystemClassLoader());
                entries.add(
                        problem != null
                                ? new Entry(hook, State.MISSING, problem)
                                : new Entry(hook, State.READY, "applied when " + hook.typeName() + " loads"));
            }
        }
        return new Report(Collections.unmodifiableList(entries), errors.get());
    }

    /**
     * A third-party hook whose class has not been woven: ready when a loader that has appeared holds the library (the
     * class file checked from that loader), not applicable only when none does. The system loader alone would not do:
     * it sees neither {@code BOOT-INF/lib} nor {@code WEB-INF/lib}. A library once found stays found, even when its
     * loader is closed later (an undeployed web app) or collected.
     */
    private Entry library(Hook hook, boolean readClassFiles) {
        ClassLoader holder = Loaders.withResource(hook.library());
        String where = holder == null ? foundIn.get(hook.name()) : Loaders.describe(holder);
        if (where == null) {
            int seen = Loaders.all().size();
            return new Entry(
                    hook,
                    State.NOT_APPLICABLE,
                    "library in none of the " + seen + " class loader" + (seen == 1 ? "" : "s") + " seen so far");
        }
        foundIn.put(hook.name(), where);
        String problem = holder == null ? null : readClassFiles ? verify(hook, holder) : present(hook, holder);
        return problem != null
                ? new Entry(hook, State.MISSING, problem + " (in " + where + ")")
                : new Entry(hook, State.READY, "applied when " + hook.typeName() + " loads (library in " + where + ")");
    }

    private String jdkVerdict(Hook hook) {
        String v = jdkVerdicts.get(hook.name());
        if (v == null) {
            String problem = verify(hook, ClassLoader.getSystemClassLoader());
            v = problem == null ? "" : problem;
            jdkVerdicts.put(hook.name(), v);
        }
        return v.isEmpty() ? null : v;
    }

    /** Null when the hook's class file exists, looked up without reading it. */
    static String present(Hook hook, ClassLoader loader) {
        try {
            return loader.getResource(hook.owner() + ".class") != null
                    ? null
                    : "type " + hook.typeName() + " not found";
        } catch (RuntimeException e) {
            return "type " + hook.typeName() + " unreadable: " + e;
        }
    }

    /** Null when the class file has a method the hook matches; read as a resource (class files are never encapsulated). */
    static String verify(Hook hook, ClassLoader loader) {
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(hook.owner() + ".class")) {
            if (in == null) {
                return "type " + hook.typeName() + " not found";
            }
            bytes = in.readAllBytes();
        } catch (Exception e) {
            return "type " + hook.typeName() + " unreadable: " + e;
        }
        boolean[] found = {false};
        new ClassReader(bytes)
                .accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public MethodVisitor visitMethod(
                                    int access, String name, String descriptor, String signature, String[] exceptions) {
                                found[0] |= (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0
                                        && Weaver.matches(hook, name, descriptor);
                                return null;
                            }
                        },
                        ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0]
                ? null
                : "no method " + hook.method() + (hook.descriptor() == null ? "" : hook.descriptor()) + " in "
                        + hook.typeName();
    }
}
