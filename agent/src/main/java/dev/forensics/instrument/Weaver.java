package dev.forensics.instrument;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.report.Loaders;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The agent's one weaver, at start-up and on attach alike: a {@link ClassFileTransformer} that looks each loading
 * (or retransformed) class up by name in the hook table and, for the few it names, weaves the hooks with ASM
 * ({@link MethodWeaver}). Every other class costs one hash lookup, and one bucket probe more in the table of
 * {@link UnwatchedClients} (same string, hash cached). Nothing is ever loaded to weave: no type pool, no frame
 * computation, unchanged methods copied as they are.
 */
public final class Weaver implements ClassFileTransformer {
    /** What became of a hook so far; read by the self-check. */
    public enum State {
        WOVEN,
        NO_METHOD,
        FAILED
    }

    public record Outcome(State state, String detail) {}

    private final Map<String, List<Hook>> byOwner = new HashMap<>();
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Map<ClassLoader, Boolean> loaders = new WeakHashMap<>();
    private final Listener listener;
    private final UnwatchedClients unwatched;

    /** Told once per class whose weaving failed (the class then loads unchanged), and of every class woven. */
    public interface Listener {
        void weavingFailed(String className, Throwable error);

        /** {@code loader} is the class's defining loader, null for the bootstrap loader. */
        void woven(String className, ClassLoader loader);

        /**
         * A client the agent does not track is in use: its class {@code className} was defined (or was loaded already
         * on attach) in {@code loader}; said once per client. Called on the class-loading thread: only hand it off.
         */
        default void unwatched(
                UnwatchedClients.Client client, String className, ClassLoader loader, ProtectionDomain domain) {}

        /**
         * {@code hook}'s class was defined and has no method the hook matches (the JDK or library changed shape): said
         * once per hook. Called on the class-loading thread: only hand it off.
         */
        default void matchedNothing(Hook hook, String detail) {}
    }

    public Weaver(List<Hook> hooks, Listener listener) {
        this(hooks, null, listener);
    }

    /** {@code unwatched} null: no client is looked out for (the leak feature is off). */
    public Weaver(List<Hook> hooks, UnwatchedClients unwatched, Listener listener) {
        this.unwatched = unwatched;
        for (Hook h : hooks) { // no lambdas on the start-up path: the first one costs a JVM a hundred classes
            List<Hook> forOwner = byOwner.get(h.owner());
            if (forOwner == null) {
                forOwner = new ArrayList<>(2);
                byOwner.put(h.owner(), forOwner);
            }
            forOwner.add(h);
        }
        this.listener = listener;
    }

    /** Registers the weaver and retransforms the hooked classes already loaded; returns how many were. */
    public int install(Instrumentation inst) {
        // Loaded, initialised and run once before the transformer is: loading it from inside transform() would be
        // a class circularity (the transformer is asked about Loaders itself).
        Loaders.saw(ClassLoader.getSystemClassLoader());
        inst.addTransformer(this, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            Loaders.saw(c.getClassLoader());
            String internal = c.getName().replace('.', '/');
            if (byOwner.containsKey(internal)) {
                if (inst.isModifiableClass(c)) {
                    loaded.add(c);
                }
            } else if (unwatched != null) {
                sawLoaded(c, internal);
            }
        }
        // Small batches keep each retransformation pause short when attaching to a busy JVM.
        for (int i = 0; i < loaded.size(); i += 8) {
            List<Class<?>> batch = loaded.subList(i, Math.min(loaded.size(), i + 8));
            try {
                inst.retransformClasses(batch.toArray(new Class<?>[0]));
            } catch (Throwable all) {
                for (Class<?> c : batch) { // keep the others when one refuses
                    try {
                        inst.retransformClasses(c);
                    } catch (Throwable one) {
                        fail(c.getName().replace('.', '/'), "retransformation failed: " + one);
                    }
                }
            }
        }
        return loaded.size();
    }

    public Outcome outcome(String hookName) {
        return outcomes.get(hookName);
    }

    @Override
    public byte[] transform(
            Module module,
            ClassLoader loader,
            String className,
            Class<?> redefined,
            ProtectionDomain domain,
            byte[] classFile) {
        Loaders.saw(loader);
        if (className == null) {
            return null;
        }
        List<Hook> hooks = byOwner.get(className);
        if (hooks == null) {
            if (unwatched != null && redefined == null) {
                saw(className, loader, domain);
            }
            return null;
        }
        try {
            if (loader != null && !seesAgent(loader)) {
                return null; // a loader that hides the bootstrap classes (some OSGi set-ups): advice would not link
            }
            boolean[] had = new boolean[hooks.size()]; // by index: no lambda, no set on the loading path
            for (int i = 0; i < had.length; i++) {
                had[i] = outcomes.containsKey(hooks.get(i).name());
            }
            byte[] woven = weave(classFile, hooks, outcomes);
            for (int i = 0; i < had.length; i++) {
                Outcome o = had[i] ? null : outcomes.get(hooks.get(i).name());
                if (o != null && o.state() == State.NO_METHOD) {
                    try {
                        listener.matchedNothing(hooks.get(i), o.detail());
                    } catch (Throwable ignored) {
                        // as below
                    }
                }
            }
            if (woven != null) {
                try {
                    listener.woven(className.replace('/', '.'), loader);
                } catch (Throwable ignored) {
                    // the listener reports; it must never turn a woven class into one that fails to load
                }
            }
            return woven;
        } catch (Throwable t) {
            fail(className, "weaving " + className.replace('/', '.') + " failed: " + t);
            try {
                listener.weavingFailed(className.replace('/', '.'), t);
            } catch (Throwable ignored) {
                // the listener reports; it must never turn a weaving failure into a class-loading one
            }
            return null;
        }
    }

    /** Same string as the lookup above, whose hash it cached: one more bucket probe per class defined. */
    private void saw(String className, ClassLoader loader, ProtectionDomain domain) {
        try {
            UnwatchedClients.Client c = unwatched.firstSighting(className);
            if (c != null) {
                listener.unwatched(c, className.replace('/', '.'), loader, domain);
            }
        } catch (Throwable ignored) {
            // a line not written is the whole cost: never turn a class definition into a failure
        }
    }

    private void sawLoaded(Class<?> type, String internalName) {
        UnwatchedClients.Client c = unwatched.firstSighting(internalName);
        if (c != null) {
            ProtectionDomain domain = null;
            try {
                domain = type.getProtectionDomain();
            } catch (Throwable denied) {
                // a security manager that refuses: the version is then read through the loader alone
            }
            try {
                listener.unwatched(c, type.getName(), type.getClassLoader(), domain);
            } catch (Throwable ignored) {
                // as in saw
            }
        }
    }

    private void fail(String owner, String why) {
        List<Hook> hooks = byOwner.get(owner);
        if (hooks != null) {
            for (Hook h : hooks) {
                outcomes.put(h.name(), new Outcome(State.FAILED, why));
            }
        }
    }

    private boolean seesAgent(ClassLoader loader) {
        synchronized (loaders) {
            Boolean sees = loaders.get(loader);
            if (sees == null) {
                sees = seesBootstrap(loader);
                loaders.put(loader, sees);
            }
            return sees;
        }
    }

    private static boolean seesBootstrap(ClassLoader loader) {
        try {
            return Class.forName(AdviceErrors.class.getName(), false, loader) == AdviceErrors.class;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * The class with {@code hooks} woven in, or null when none of them found its method. {@code outcomes} receives,
     * per hook, whether it was woven. Package-private for the tests that run the result through the verifier.
     */
    static byte[] weave(byte[] classFile, List<Hook> hooks, Map<String, Outcome> outcomes) {
        ClassReader reader = new ClassReader(classFile);
        Map<String, Integer> maxLocals = maxLocals(reader, hooks);
        boolean frames = reader.readShort(6) >= Opcodes.V1_6;
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] woven = new boolean[hooks.size()]; // by index: a record's equals would link invokedynamic
        String owner = reader.getClassName();
        reader.accept(
                new ClassVisitor(Opcodes.ASM9, writer) {
                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                            return mv;
                        }
                        Integer locals = maxLocals.get(name + descriptor);
                        int free = locals == null ? 0 : locals;
                        // The first hook of a method in the table is the outermost visitor: its calls run first.
                        for (int i = hooks.size() - 1; i >= 0; i--) {
                            Hook h = hooks.get(i);
                            if (matches(h, name, descriptor) && usable(h, access)) {
                                mv = new MethodWeaver(
                                        mv, h, owner, access, descriptor, free + i * MethodWeaver.slotsUsed(), frames);
                                woven[i] = true;
                            }
                        }
                        return mv;
                    }
                },
                ClassReader.EXPAND_FRAMES);
        boolean any = false;
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            any |= woven[i];
            if (woven[i]) {
                outcomes.put(h.name(), new Outcome(State.WOVEN, "woven"));
            } else {
                outcomes.putIfAbsent(
                        h.name(),
                        new Outcome(
                                State.NO_METHOD,
                                "no method " + h.method() + (h.descriptor() == null ? "" : h.descriptor()) + " in "
                                        + h.typeName()));
            }
        }
        return any ? writer.toByteArray() : null;
    }

    public static boolean matches(Hook h, String name, String descriptor) {
        if (!h.method().equals(name)) {
            return false;
        }
        String d = h.descriptor();
        // null: every overload; "(...)" without a return type: these parameters, whatever the method returns
        return d == null || (d.endsWith(")") ? descriptor.startsWith(d) : d.equals(descriptor));
    }

    /** A static method has no receiver to pass; such a table row is a mistake the self-check reports as missing. */
    private static boolean usable(Hook h, int access) {
        if ((access & Opcodes.ACC_STATIC) == 0) {
            return true;
        }
        for (Hook.Call c : new Hook.Call[] {h.enter(), h.exit()}) {
            if (c != null && (c.uses(Hook.Arg.Kind.THIS) || c.uses(Hook.Arg.Kind.FIELD))) {
                return false;
            }
        }
        return true;
    }

    /** max_locals of every method: the first slot free for what the weaver keeps. */
    private static Map<String, Integer> maxLocals(ClassReader reader, List<Hook> hooks) {
        Map<String, Integer> out = new HashMap<>();
        reader.accept(
                new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        boolean hooked = false;
                        for (Hook h : hooks) {
                            hooked |= matches(h, name, descriptor);
                        }
                        return !hooked
                                ? null
                                : new MethodVisitor(Opcodes.ASM9) {
                                    @Override
                                    public void visitMaxs(int maxStack, int locals) {
                                        out.put(name + descriptor, locals);
                                    }
                                };
                    }
                },
                ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return out;
    }
}
